"""Uploaded documents and photos (PDF/JPEG/PNG recognised by content), stored outside the web root.

Other domains keep upload ids: they attach files through `forms.UploadField` (web) or
`POST /api/v1/uploads` (API), then check the ids with `services.require_uploads(ids, actor=...)`.
Who may read an upload besides its owner, its organisation and reviewers is extended with
`services.register_access_rule(fn)` (e.g. a filing's reviewers, a deal's counterparty).
"""


def init_app(app):
    from . import (
        models,  # noqa: F401  (registers the table)
        services,  # noqa: F401  (file clean-up on rollback)
    )
    from .routes import bp

    app.config.setdefault("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
    app.config.setdefault("UPLOAD_QUOTA_BYTES", 500 * 1024 * 1024)
    app.register_blueprint(bp)
