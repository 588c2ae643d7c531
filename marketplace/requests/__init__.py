"""Requests (服务申请): one engine for every kind of request a listing takes — incubation, loans (苏科贷),
equity financing, consulting, 科技副总 secondment, data access, bioresource material. Each kind is
declared once in kinds.py; see services.py for the engine."""

PLATFORM_KINDS = {"startup": ("incubation",), "finance": ("loan", "equity", "finance_service"), "talent": ("consulting", "secondment"),
                  "sharing": ("data_access", "material")}


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    from . import models  # noqa: F401  (registers the tables)
    from . import workbench as work_queues
    from .cli import requests_cli
    from .routes import bp
    from .services.secondment import plan_figures
    work_queues.register()  # its queues on the workbench (core.workbench)
    app.register_blueprint(bp)
    app.cli.add_command(requests_cli)
    from .services import datasets
    datasets.register()
    from ..census.plan import register_plan_source
    register_plan_source("requests", plan_figures)  # placements count toward 校企联盟
    nav.add_link(_l("我的申请"), "requests.mine", nav.org_member)
    nav.add_link(_l("申请受理"), "requests.queue",
                 lambda u: u.organisation_id is not None or u.has_role("reviewer"))
    nav.add_link(_l("出资关系"), "requests.stakes", lambda u: u.organisation is not None
                 and u.organisation.kind == "enterprise")
    for platform, label, rtype in (("startup", _l("申请入驻孵化载体"), "incubator"),
                                   ("finance", _l("申请科技贷款与股权融资"), "finance"),
                                   ("talent", _l("专家咨询与科技副总选派"), "talent")):
        nav.add_workflow(platform, label, "catalog.resources", {"type": rtype})
        nav.add_workflow(platform, _l("我的申请"), "requests.mine", signed_in=True)
        nav.add_panel(platform, "requests/_platform_panel.html", _platform_panel(platform))

    @app.context_processor
    def _request_helpers():
        return {"request_panel": _resource_panel, "event_requests": _event_requests}


def _platform_panel(platform):
    def context():
        from .kinds import KINDS
        from .services import open_calls
        kinds = [KINDS[k] for k in PLATFORM_KINDS.get(platform, ())]
        return {"kinds": kinds, "calls": open_calls(platform=platform),
                "types": {k: spec.resource_type for k, spec in KINDS.items()}}
    return context


def _event_requests(event_id):
    """Requests started at an event (for its staff page): the offline follow-up and its status."""
    import sqlalchemy as sa

    from ..extensions import db
    from .models import ServiceRequest
    return db.session.scalars(sa.select(ServiceRequest).where(ServiceRequest.event_id == event_id,
                                                              ServiceRequest.status != "draft")
                              .order_by(ServiceRequest.id.desc()).limit(100)).all()


def _resource_panel(resource):
    """What a listing's page offers: the kinds of request it takes, its open calls, an open download."""
    from flask import session

    from .kinds import kinds_for
    from .services import open_calls
    kinds = kinds_for(resource) if resource.status == "published" else []
    calls = [c for c in open_calls(limit=50) if c.resource_id in (None, resource.id)
             and c.kind in {k.key for k in kinds}]
    out = {"kinds": kinds, "calls": calls, "event_id": session.get("request_event"), "file": None,
           "may_download": False, "is_owner": False}
    if resource.type == "dataset":
        from flask_login import current_user

        from .services import datasets
        user = current_user if current_user.is_authenticated else None
        out.update(file=datasets.file_of(resource), may_download=datasets.may_download(resource, user),
                   is_owner=bool(user and user.is_member_of(resource.owner_org_id)))
    return out
