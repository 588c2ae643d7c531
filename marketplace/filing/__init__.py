"""Technology-manager firm filing (技术经理人事务所备案): application, review, filing numbers, the
public directory and verify page, certificates, annual reports and the sweep, evaluation."""


def init_app(app):
    from . import models  # noqa: F401  (registers the tables)

    app.config.setdefault("FILING_REPORT_DUE", "03-31")       # the report on year Y is due on this day of Y+1
    app.config.setdefault("FILING_REPORT_WARN_DAYS", (30, 7))  # the sweep warns this many days before
    try:
        from .routes import bp
    except ImportError:  # pages not written yet
        return
    app.register_blueprint(bp)
