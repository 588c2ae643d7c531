"""The public policy page (/subsidy/policy) and the booking page's subsidy estimate. A blueprint of
its own, so the finance pages (routes/__init__.py) and the public page never share a file."""
from flask import Blueprint, render_template

from ..services import policy as policy_service
from ..states import PERIODS, grade_label

bp = Blueprint("subsidy_policy", __name__, url_prefix="/subsidy")


@bp.route("/policy")
def policy():
    """Public: who gets the two-sided subsidy, how much, and how to get verified."""
    return render_template("subsidy/policy.html", policy=policy_service.current_policy(), PERIODS=PERIODS,
                           grade_label=grade_label)


def init_app(app):
    app.register_blueprint(bp)

    @app.context_processor
    def _policy_helpers():
        def subsidy_estimate(booking):
            """The expected subsidy of a requested booking (before approval reserves it)."""
            return policy_service.estimate(booking)
        return {"subsidy_estimate": subsidy_estimate}
