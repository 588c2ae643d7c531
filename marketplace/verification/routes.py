"""Verification pages: an organisation's identity and qualifications, the reviewers' queue and decisions."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..core.audit import history
from ..core.uow import unit_of_work
from ..uploads.services import store_form_uploads, uploads_by_id
from . import services
from .forms import ClaimForm, DecisionForm, IdentityForm
from .states import KINDS, NUMBER_LABELS, STATUSES

bp = Blueprint("verification", __name__, url_prefix="/verification")


@bp.route("/")
@login_required
def mine():
    """The signed-in user's organisation's verification page."""
    if current_user.organisation_id is None:
        abort(404)
    return redirect(url_for("verification.organisation", org_id=current_user.organisation_id))


def _render_org(org, identity_form=None, claim_form=None, status=200):
    ident = services.identity_of(org)
    if identity_form is None:
        identity_form = IdentityForm(obj=ident) if ident else IdentityForm(legal_name=org.name)
    return render_template(
        "verification/organisation.html", org=org, identity=ident, identity_form=identity_form,
        claim_form=claim_form or ClaimForm(), flags=services.explain(services.effective_flags(org)),
        qualifications=services.qualifications_of(org), kinds=KINDS, statuses=STATUSES,
        number_labels=NUMBER_LABELS, is_member=current_user.is_member_of(org.id),
        is_admin=current_user.is_admin_of(org.id) or current_user.has_role("admin")), status


@bp.route("/organisations/<int:org_id>")
@login_required
def organisation(org_id):
    return _render_org(services.get_organisation(org_id, actor=current_user))


@bp.route("/organisations/<int:org_id>/identity", methods=["POST"])
@login_required
def identity(org_id):
    org = services.get_organisation(org_id, actor=current_user)
    form = IdentityForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            services.set_identity(org, actor=current_user, uscc=form.uscc.data, legal_name=form.legal_name.data,
                                  legal_rep=form.legal_rep.data, legal_rep_id=form.legal_rep_id.data or None)
        if work.committed:
            flash(_("单位身份信息已保存"), "success")
            return redirect(url_for("verification.organisation", org_id=org.id))
    return _render_org(org, identity_form=form, status=422)


@bp.route("/organisations/<int:org_id>/qualifications", methods=["POST"])
@login_required
def claim(org_id):
    org = services.get_organisation(org_id, actor=current_user)
    form = ClaimForm()
    if form.validate_on_submit():
        with unit_of_work(form) as work:
            ids = store_form_uploads(form.documents, actor=current_user)
            q = services.claim_qualification(org, actor=current_user, kind=form.kind.data, number=form.number.data,
                                             document_ids=ids, issued_on=form.issued_on.data,
                                             valid_until=form.valid_until.data)
        if work.committed:
            flash(_("资质申报已提交，等待审核"), "success")
            return redirect(url_for("verification.qualification", qualification_id=q.id))
        form.documents.data = []  # files of a rolled-back post were not kept
    return _render_org(org, claim_form=form, status=422)


@bp.route("/queue")
@login_required
def queue():
    page = request.args.get("page", 1, type=int)
    pagination = services.review_queue(max(1, min(page, 10_000)), actor=current_user)
    return render_template("verification/queue.html", pagination=pagination, kinds=KINDS)


def _render_qualification(q, form=None, status=200):
    return render_template(
        "verification/qualification.html", q=q, form=form or DecisionForm(), kinds=KINDS, statuses=STATUSES,
        number_labels=NUMBER_LABELS, documents=uploads_by_id(q.document_ids),
        actions=services.allowed_actions(q, actor=current_user), history=history("qualification", q.id),
        identity=services.identity_of(q.organisation)), status


@bp.route("/qualifications/<int:qualification_id>")
@login_required
def qualification(qualification_id):
    return _render_qualification(services.get_qualification(qualification_id, actor=current_user))


ACTIONS = {
    "verify": (services.verify_qualification, "comment"),
    "reject": (services.reject_qualification, "reason"),
    "revoke": (services.revoke_qualification, "reason"),
    "withdraw": (services.withdraw_qualification, None),
}


@bp.route("/qualifications/<int:qualification_id>/<any(verify, reject, revoke, withdraw):action>",
          methods=["POST"])
@login_required
def decide(qualification_id, action):
    q = services.get_qualification(qualification_id, actor=current_user)
    form = DecisionForm()
    if form.validate_on_submit():
        fn, arg = ACTIONS[action]
        kwargs = {arg: form.reason.data} if arg else {}
        with unit_of_work(form) as work:
            fn(q, actor=current_user, **kwargs)
        if work.committed:
            flash(_("资质申报：%(state)s", state=STATUSES[q.status]), "success")
            return redirect(url_for("verification.qualification", qualification_id=q.id))
    return _render_qualification(q, form, status=422)
