"""Technology trading (技术交易): demands, matching, listing modes, brokered deals, public notice, payment."""

DEFAULTS = {
    "TRADING_NOTICE_DAYS": 15,             # 促进科技成果转化法 art. 18: at least 15 days
    "TRADING_COMMISSION_BP": 300,          # a broker firm's default commission (per-firm rows override)
    "TRADING_COMMISSION_MAX_BP": 3000,     # finance may set a firm's rate between 0 and 30 %
    "TRADING_REMIND_DAYS": 7,              # instalment reminders this many days before the due date
}


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    from ..payments import purposes
    from . import models  # noqa: F401  (registers the tables)
    from .cli import trading_cli
    from .routes import bp
    from .search import register_kind
    from .services import panels
    from .services.payments import DealInstalmentPurpose

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    register_kind()
    from . import history as deal_history
    deal_history.register()  # its audit trails in words (core.history)
    from . import workbench as work_queues
    work_queues.register()  # its queues on the workbench (core.workbench)
    app.register_blueprint(bp)
    app.cli.add_command(trading_cli)
    purposes.register(DealInstalmentPurpose())  # instalments are paid through the one payment engine
    from .integrations import register as register_integrations
    register_integrations()  # registration pre-fill, firms' figures

    nav.add_link(_l("技术需求"), "trading.demands")
    nav.add_link(_l("我的交易"), "trading.my_deals", who=nav.org_member)
    nav.add_link(_l("经纪工作台"), "trading.workspace", who=panels.is_broker_user)
    nav.add_link(_l("需求审核"), "trading.demand_review", who=lambda u: u.has_role("reviewer"))
    nav.add_link(_l("公示异议"), "trading.objections", who=lambda u: u.has_role("reviewer"))
    nav.add_link(_l("经纪佣金"), "trading.commissions", who=lambda u: u.has_role("finance"))
    nav.add_workflow("trading", _l("浏览技术需求"), "trading.demands")
    nav.add_workflow("trading", _l("发布技术需求"), "trading.new_demand", signed_in=True)
    nav.add_workflow("trading", _l("交易公示"), "trading.notices")
    nav.add_workflow("trading", _l("我的交易"), "trading.my_deals", signed_in=True)
    nav.add_workflow("trading", _l("经纪工作台"), "trading.workspace", signed_in=True)
    nav.add_panel("trading", "trading/_platform_panel.html", panels.platform_panel)

    # Globals (not a context processor) so that imported macros see them too.
    app.jinja_env.globals.update(trading_achievement_panel=panels.achievement_panel,
                                 deal_status_name=panels.status_name, deal_mode_name=panels.mode_name)
    from .states import INSTALMENT_LABELS
    app.jinja_env.globals.update(INSTALMENT_LABELS=INSTALMENT_LABELS)
