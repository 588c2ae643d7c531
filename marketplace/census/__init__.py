"""The data platform (数据决策平台): the resource census and the open-sharing evaluation.

Settings (override in the config; these are the defaults):
  CENSUS_QUOTA_HOURS                 定额机时 of a general instrument per year (1,400 h)
  CENSUS_QUOTA_HOURS_BY_CATEGORY     {instrument category (一级分类): quota hours}, e.g. specialised 800 h
  CENSUS_EVAL_WEIGHTS                points of each evaluation indicator (sum 100)
  CENSUS_EVAL_TARGETS                what earns an indicator's full marks
  CENSUS_GRADE_THRESHOLDS            lowest score of 优秀 / 良好 / 合格
  CENSUS_PLAN_TARGETS                the plan's targets (校企联盟 13,500)
"""

DEFAULTS = {
    "CENSUS_QUOTA_HOURS": 1400,
    "CENSUS_QUOTA_HOURS_BY_CATEGORY": {"专用仪器": 800, "特种检测仪器": 800},
    "CENSUS_EVAL_WEIGHTS": {"open_rate": 10, "staff": 10, "online_service": 10, "run_hours": 20, "effect": 15,
                            "share_hours": 20, "external_service": 15},
    "CENSUS_EVAL_TARGETS": {"staff_per_instrument": 0.5, "coverage_orgs": 10},
    "CENSUS_GRADE_THRESHOLDS": {"优秀": 85, "良好": 70, "合格": 55},
    "CENSUS_PLAN_TARGETS": {"alliances": 13_500},
}


def _panel_context():
    from .services.panel import platform_panel
    return platform_panel()


def init_app(app):
    from flask_babel import lazy_gettext as _l

    from ..core import nav
    from . import models  # noqa: F401  (registers the table)
    from .cli import census_cli
    from .routes import bp

    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.register_blueprint(bp)
    app.cli.add_command(census_cli)
    nav.add_panel("data", "census/_platform_panel.html", _panel_context)
    nav.add_workflow("data", _l("科技资源普查与统计"), "census.dashboard")
    nav.add_workflow("data", _l("开放共享评价"), "census.evaluation")
    nav.add_workflow("data", _l("填报平台外使用情况"), "census.self_reports", signed_in=True)
