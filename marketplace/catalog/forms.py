"""Listing forms, one per resource type, derived from the declarations in catalog.types."""
from decimal import Decimal

from flask_babel import LazyString, get_locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional

from ..core.i18n import lazy_tr
from ..core.reference import CITIES, DISCIPLINES
from .types import PLATFORMS, RESOURCE_TYPES

MAX_YUAN = Decimal("10000000000000")


class FiniteDecimalField(DecimalField):
    """A DecimalField that refuses NaN and infinities (sNaN would crash NumberRange)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(self.gettext("Not a valid decimal value."))


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class OpenSelectField(SelectField):
    """A select over a fixed list of names (`core.reference.DISCIPLINES`) for a field the API and the
    partners' harvest keep as text: a stored name outside the list stays offered (and so kept)."""

    def __init__(self, label=None, names=DISCIPLINES, **kwargs):
        kwargs.setdefault("validators", [Optional(), Length(max=60)])
        super().__init__(label, choices=[("", "—")] + [(n, lazy_tr(n)) for n in names], validate_choice=False,
                         **kwargs)

    def iter_choices(self):
        if self.data and self.data not in {c[0] for c in self.choices}:
            self.choices = [*self.choices, (self.data, self.data)]
        return super().iter_choices()


class CommonResourceForm(FlaskForm):
    title = StringField(_l("标题"), validators=[DataRequired(), Length(max=200)])
    summary = StringField(_l("简介"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("详细介绍"), validators=[Optional(), Length(max=20000)])
    city = SelectField(_l("所在城市"), choices=[(c, lazy_tr(c)) for c in CITIES])
    discipline = OpenSelectField(_l("学科领域"))
    tags = StringField(_l("标签（逗号分隔）"), validators=[Optional(), Length(max=200)])
    platforms = MultiCheckboxField(_l("服务平台"), choices=[(k, lazy_tr(v[0])) for k, v in PLATFORMS.items()],
                                   validators=[DataRequired()])
    contact_name = StringField(_l("联系人"), validators=[Optional(), Length(max=60)])
    contact_phone = StringField(_l("联系电话"), validators=[Optional(), Length(max=30)])
    contact_email = StringField(_l("联系邮箱"), validators=[Optional(), Email(check_deliverability=False),
                                                         Length(max=254)])

    common_names = ("title", "summary", "description", "city", "discipline", "tags", "platforms",
                    "contact_name", "contact_phone", "contact_email")
    type_key = None

    def own_fields(self):
        return [getattr(self, f.name) for f in RESOURCE_TYPES[self.type_key].fields]

    def data_for_service(self) -> dict:
        """Form values in the service's terms: money converted from yuan to fen."""
        out = {name: getattr(self, name).data for name in self.common_names}
        for f in RESOURCE_TYPES[self.type_key].fields:
            value = getattr(self, f.name).data
            if f.kind == "money" and value is not None:
                value = int((value * 100).to_integral_value())
            elif f.kind == "multi":
                value = ",".join(value or [])
            elif f.kind in ("str", "text", "choice") and value == "":
                value = None
            out[f.name] = value
        return out

    def fill_from(self, resource, pending: dict | None = None):
        """The listing's values; `pending` (a pending revision's changes) over the published ones."""
        pending = pending or {}
        for name in self.common_names:
            if name == "platforms":
                self.platforms.data = pending.get("platforms", resource.platforms)
            else:
                getattr(self, name).data = pending.get(name, getattr(resource, name))
        for f in RESOURCE_TYPES[self.type_key].fields:
            value = pending.get(f.name, getattr(resource, f.name))
            if f.kind == "money" and value is not None:
                value = Decimal(value) / 100
            elif f.kind == "multi":
                value = [v for v in (value or "").split(",") if v]
            getattr(self, f.name).data = value


def _wtf_field(f):
    label = LazyString(lambda: f.label(str(get_locale() or "zh")))
    required = [DataRequired()] if f.required and f.kind != "bool" else [Optional()]
    if f.kind == "text":
        return TextAreaField(label, validators=required + [Length(max=f.max_len)])
    if f.kind == "str" and f.choices:  # a closed list of names (the instrument classification), grouped
        choices = [SelectChoice("", "—")] if not f.required else []
        choices += [SelectChoice(value, lazy_tr(value), optgroup=parent or None) for value, parent in f.choices.items()]
        return SelectField(label, choices=choices, validators=required)
    if f.kind == "str" and f.options:  # names offered (a researcher's field), text in the API
        return OpenSelectField(label, names=f.options, validators=required + [Length(max=f.max_len)])
    if f.kind == "str":
        return StringField(label, validators=required + [Length(max=f.max_len)])
    if f.kind == "money":
        return FiniteDecimalField(label, places=2, validators=required + [NumberRange(min=0, max=MAX_YUAN)])
    if f.kind == "int":
        return IntegerField(label, validators=required + [NumberRange(min=f.min, max=f.max)])
    if f.kind == "date":
        return DateField(label, validators=required)
    if f.kind == "bool":
        return BooleanField(label)
    choices = [(k, lazy_tr(v)) for k, v in f.choices.items()]
    if f.kind == "multi":
        return MultiCheckboxField(label, choices=choices, validators=[Optional()])
    return SelectField(label, choices=([] if f.required else [("", "—")]) + choices, validators=required)


def _make_form(spec):
    attrs = {f.name: _wtf_field(f) for f in spec.fields}
    attrs["type_key"] = spec.key
    return type(f"{spec.key.capitalize()}Form", (CommonResourceForm,), attrs)


FORMS = {key: _make_form(spec) for key, spec in RESOURCE_TYPES.items()}


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("原因"), validators=[Optional(), Length(max=500)])


class PhotoForm(FlaskForm):
    """Listing photos: the files come from request.files ("photos"); this form carries the CSRF token."""
