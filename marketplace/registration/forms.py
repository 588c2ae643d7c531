"""Registration forms. Amounts are typed in yuan and turned into fen at the edge (core.money)."""
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FieldList, Form, FormField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from ..core.errors import Invalid
from ..core.money import parse_yuan
from ..uploads.forms import UploadField
from .cities import CityCodeSelect
from .reference import CONTRACT_TYPES, GROUNDS, IP_KINDS, NATURES, TECH_FIELDS


def _choices(mapping, blank=None):
    out = [("", blank)] if blank is not None else []
    return out + list(mapping.items())


# One list for every type (the service checks that the subtype belongs to the chosen type).
SUBTYPE_CHOICES = [("", _l("（无）")), ("commissioned", _l("委托开发")), ("cooperative", _l("合作开发")),
                   ("patent", _l("专利（专利权转让、专利实施许可）")), ("patent_application", _l("专利申请权转让")),
                   ("know_how", _l("技术秘密")), ("other", _l("其他"))]


class SubForm(Form):
    """A form inside the registration form: its validators' messages in the interface language, as the
    FlaskForm around it (a plain wtforms Form answers in English)."""

    class Meta:
        def get_translations(self, form):
            from flask_wtf.i18n import translations
            return translations


class PartyForm(SubForm):
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=200)])
    uscc = StringField(_l("统一社会信用代码"), validators=[DataRequired(), Length(max=18)])
    # picked by name, the GB/T 2260 code underneath (registration/cities.py)
    city_code = StringField(_l("所在地市"), widget=CityCodeSelect(),
                            validators=[DataRequired(), Length(min=4, max=4)])
    nature = SelectField(_l("单位性质"), choices=_choices(NATURES), validators=[DataRequired()])


class ItemForm(SubForm):
    name = StringField(_l("非技术性款项"), validators=[Optional(), Length(max=200)])
    amount = StringField(_l("金额（元）"), validators=[Optional(), Length(max=30)])


def _fen(text, field: str) -> int:
    """Yuan typed by a person ('1,234.50') as fen; Invalid on the field otherwise."""
    try:
        return parse_yuan(text or "", field)
    except Invalid:
        raise Invalid.field(field, _("请填写不小于 0 的金额（元）")) from None


class DottedErrors:
    """Lets the unit of work place a service error named "buyer.uscc" or "non_tech_items.0.amount"
    next to the matching sub-field."""

    def __getattr__(self, name):
        if "." not in name:
            raise AttributeError(name)
        node = self
        for part in name.split("."):
            node = node[int(part)] if part.isdigit() else getattr(node, part)
        return node


class RegistrationForm(DottedErrors, FlaskForm):
    project_name = StringField(_l("项目名称"), validators=[DataRequired(), Length(max=200)])
    contract_type = SelectField(_l("合同类型"), choices=_choices(CONTRACT_TYPES), validators=[DataRequired()])
    subtype = SelectField(_l("合同子类型"), choices=SUBTYPE_CHOICES, validators=[Optional()])
    seller = FormField(PartyForm, label=_l("卖方（受托方、许可方）"))
    buyer = FormField(PartyForm, label=_l("买方（委托方、被许可方）"))
    signed_on = DateField(_l("签订日期"), validators=[DataRequired()])
    valid_until = DateField(_l("有效期至"), validators=[DataRequired()])
    tech_field = SelectField(_l("技术领域"), choices=_choices(TECH_FIELDS), validators=[DataRequired()])
    ip_kind = SelectField(_l("知识产权类型"), choices=_choices(IP_KINDS), validators=[DataRequired()])
    total_amount = StringField(_l("合同成交额（元）"), validators=[DataRequired(), Length(max=30)])
    non_tech_items = FieldList(FormField(ItemForm), min_entries=5, max_entries=20)
    document_ids = UploadField(_l("合同文本及附件"), max_files=20)

    def fields(self) -> dict:
        """The application's fields in the services' shape (fen amounts); Invalid names a bad amount."""
        items = []
        for i, entry in enumerate(self.non_tech_items):
            name, amount = (entry.form.name.data or "").strip(), (entry.form.amount.data or "").strip()
            if name or amount:
                items.append({"name": name, "amount": _fen(amount, f"non_tech_items.{i}.amount")})
        return {
            "project_name": self.project_name.data, "contract_type": self.contract_type.data,
            "subtype": self.subtype.data or None,
            "buyer": dict(self.buyer.data), "seller": dict(self.seller.data),
            "signed_on": self.signed_on.data, "valid_until": self.valid_until.data,
            "tech_field": self.tech_field.data, "ip_kind": self.ip_kind.data,
            "total_amount": _fen(self.total_amount.data, "total_amount"),
            "non_tech_items": items, "document_ids": list(self.document_ids.data or []),
        }

    def fill(self, data: dict):
        """Show an application's (or a deal's pre-filled) fields in the form."""
        from ..core.money import format_fen
        for key in ("project_name", "contract_type", "subtype", "signed_on", "valid_until", "tech_field", "ip_kind"):
            if data.get(key) is not None:
                getattr(self, key).data = data[key]
        for side in ("buyer", "seller"):
            for key, value in (data.get(side) or {}).items():
                if hasattr(getattr(self, side).form, key):
                    getattr(getattr(self, side).form, key).data = value
        if data.get("total_amount") is not None:
            self.total_amount.data = format_fen(data["total_amount"], symbol=False).replace(",", "")
        items = data.get("non_tech_items") or []
        while len(self.non_tech_items) < min(len(items), 20):
            self.non_tech_items.append_entry()
        for entry, item in zip(self.non_tech_items, items, strict=False):
            entry.form.name.data = item["name"]
            entry.form.amount.data = format_fen(item["amount"], symbol=False).replace(",", "")
        if data.get("document_ids"):
            self.document_ids.data = list(data["document_ids"])


class ReturnForm(FlaskForm):
    comment = TextAreaField(_l("需要补正的内容"), validators=[DataRequired(), Length(max=2000)])


class ConfirmationForm(FlaskForm):
    evidence = TextAreaField(_l("买方书面确认的依据"), description=_l("如：买方盖章的确认函（附件 2）"),
                             validators=[DataRequired(), Length(max=500)])


class ApproveForm(FlaskForm):
    comment = TextAreaField(_l("意见（可选）"), validators=[Optional(), Length(max=2000)])


class RefuseForm(FlaskForm):
    grounds = SelectMultipleField(_l("不予登记的理由"), choices=list(GROUNDS.items()),
                                  widget=ListWidget(prefix_label=False), option_widget=CheckboxInput(),
                                  validators=[Optional()])
    comment = TextAreaField(_l("说明（选择“其他”时必填）"), validators=[Optional(), Length(max=2000)])


class ChangeForm(FlaskForm):
    """Start a change of a registered contract: amend (变更) or cancel (注销)."""

    kind = SelectField(_l("变更类型"), choices=[("amend", _l("变更登记")), ("cancel", _l("注销登记"))],
                       validators=[DataRequired()])
