"""The staff form of a partner platform (it builds the same PartnerIn as the CLI)."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..core.i18n import tr
from .models import REGIONS, SCHEDULES

SCHEDULE_NAMES = {"hourly": _l("每小时"), "daily": _l("每天"), "weekly": _l("每周")}


class PartnerForm(FlaskForm):
    name = StringField(_l("平台名称"), validators=[DataRequired(), Length(max=100)])
    region = SelectField(_l("所在地区"), validators=[DataRequired()])
    base_url = StringField(_l("OAI-PMH 地址"), validators=[DataRequired(), Length(max=500)],
                           description=_l("如 https://partner.example.cn/oai"))
    metadata_prefix = SelectField(_l("元数据格式"), choices=[("jsst_core", "jsst_core"), ("oai_dc", "oai_dc")])
    schedule = SelectField(_l("采集频率"), choices=[])
    enabled = BooleanField(_l("启用"), default=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.region.choices = [(k, tr(v)) for k, v in REGIONS.items()]
        self.schedule.choices = [(k, SCHEDULE_NAMES[k]) for k in SCHEDULES]

    def values(self) -> dict:
        return {name: getattr(self, name).data for name in
                ("name", "region", "base_url", "metadata_prefix", "schedule", "enabled")}
