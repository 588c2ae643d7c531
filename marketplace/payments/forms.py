"""Payment forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange


class CardForm(FlaskForm):
    number = StringField(_l("卡号"), validators=[DataRequired(), Length(min=16, max=19)],
                         render_kw={"autocomplete": "cc-number", "inputmode": "numeric"})
    exp_month = IntegerField(_l("有效期（月）"), validators=[DataRequired(), NumberRange(min=1, max=12)])
    exp_year = IntegerField(_l("有效期（年）"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    cvc = StringField(_l("安全码"), validators=[DataRequired(), Length(min=3, max=3)], render_kw={"autocomplete": "cc-csc"})
