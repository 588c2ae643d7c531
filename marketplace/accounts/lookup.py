"""Finding an organisation by what people know of it: its name or its USCC (统一社会信用代码), for the
organisation pickers of the forms (a broker names a deal's buyer and seller) and their suggestions."""
import unicodedata

import sqlalchemy as sa
from flask_babel import gettext as _
from markupsafe import Markup
from wtforms import Field
from wtforms.fields.core import Label
from wtforms.validators import ValidationError
from wtforms.widgets import html_params

from ..core.permissions import require_login
from ..extensions import db
from .models import Organisation, User

MAX_QUERY = 60


def _clean(text) -> str:
    """The typed text without control characters (names keep their full-width brackets: 南京大学（苏州）)."""
    return "".join(ch for ch in str(text or "") if ch.isprintable()).strip()[:MAX_QUERY * 2]


def _code(text: str) -> str:
    """A USCC as typed on a Chinese keyboard (full-width, lower case) in its canonical form."""
    return unicodedata.normalize("NFKC", text).replace(" ", "").upper()


def suggest_organisations(q, *, actor, limit: int = 10) -> list[Organisation]:
    """Organisations whose name contains `q` or whose USCC starts with it, exact matches first."""
    require_login(actor)
    q = _clean(q)[:MAX_QUERY]
    if not q:
        return []
    code = _code(q)
    stmt = sa.select(Organisation).where(sa.or_(Organisation.name.contains(q, autoescape=True),
                                                Organisation.credit_code.startswith(code, autoescape=True)))
    exact = sa.case((sa.or_(Organisation.name == q, Organisation.credit_code == code), 0), else_=1)
    return list(db.session.scalars(stmt.order_by(exact, sa.func.length(Organisation.name), Organisation.name)
                                   .limit(limit)))


def find_organisation(text) -> Organisation | None:
    """The one organisation named exactly `text`, or holding the USCC `text`; else None."""
    text = _clean(text)
    if not text:
        return None
    return db.session.scalar(sa.select(Organisation).where(
        sa.or_(Organisation.name == text, Organisation.credit_code == _code(text))).limit(1))


class OrganisationField(Field):
    """An organisation chosen by name: a text box with suggestions (static/js/search.js, pick mode)
    and, beside it, the hidden id the suggestion sets. Without script, or when the user types a name
    or USCC without picking, the server finds the organisation by exact name or USCC; anything else is
    an error next to the box. `data` is the organisation's id (or None)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.text = ""
        self.lookup_error = None

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        self.label = Label(f"{self.id}-name", self.label.text)
        if formdata is not None:
            self.text = _clean(formdata.get(f"{self.name}-name", ""))
            org = None
            if self.data is not None:
                org = db.session.get(Organisation, self.data)
            if org is None or (self.text and self.text != org.name and _code(self.text) != org.credit_code):
                org = find_organisation(self.text) if self.text else None
                if self.text and org is None:
                    self.lookup_error = _("没有名称或统一社会信用代码为“%(text)s”的单位，请从建议列表中选择",
                                          text=self.text[:MAX_QUERY])
            self.data = org.id if org else None
        elif self.data:
            org = db.session.get(Organisation, self.data)
            self.text = org.name if org else ""

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = int(raw) if raw.isdigit() and len(raw) <= 9 else None

    def pre_validate(self, form):
        if self.lookup_error:
            raise ValidationError(self.lookup_error)

    def _value(self):
        return "" if self.data is None else str(self.data)

    def __call__(self, **kwargs):
        kwargs.setdefault("id", f"{self.id}-name")
        kwargs.setdefault("type", "text")
        params = {"name": f"{self.name}-name", "value": self.text, "autocomplete": "off", "maxlength": MAX_QUERY,
                  "data-suggest": "", "data-suggest-url": "/api/v1/organisations/suggest",
                  "data-suggest-pick": self.id, "placeholder": _("输入单位名称或统一社会信用代码"), **kwargs}
        hidden = html_params(type="hidden", name=self.name, id=self.id, value=self._value())
        return Markup(f"<input {html_params(**params)}><input {hidden}>")


# -- people ---------------------------------------------------------------------------------------------

def masked_email(email: str) -> str:
    """zhang.wei@nju.edu.cn → zh***@nju.edu.cn: enough to tell two people apart, not an address to use."""
    local, _at, domain = email.partition("@")
    return f"{local[:2]}***@{domain}"


def suggest_people(q, org_id: int, *, actor, limit: int = 8) -> list[User]:
    """Active people of organisation `org_id` whose name contains `q` or whose e-mail starts with it.

    Any signed-in person may ask (a company names the researcher a university sends); what they get
    back is names and masked addresses (`masked_email`), two characters typed at least."""
    require_login(actor)
    q = _clean(q)[:MAX_QUERY]
    if len(q) < 2:
        return []
    stmt = sa.select(User).where(User.organisation_id == org_id, User.active.is_(True), sa.or_(
        User.name.contains(q, autoescape=True), sa.func.lower(User.email).startswith(q.lower(), autoescape=True)))
    exact = sa.case((sa.or_(User.name == q, sa.func.lower(User.email) == q.lower()), 0), else_=1)
    return list(db.session.scalars(stmt.order_by(exact, User.name, User.id).limit(limit)))


class UserField(Field):
    """A person of one organisation, picked by name or e-mail: a text box with suggestions
    (GET /api/v1/users/suggest, static/js/search.js pick mode) and the hidden id a suggestion sets. The
    organisation is bound after the form is built (`bind(org_id)`), the choice checked at validation:
    a picked id must belong to it; without script, the typed e-mail address is looked up in it. `data`
    is the person's id, `user` the person (or None)."""

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.text, self.org_id, self.user = "", None, None

    def bind(self, org_id: int) -> "UserField":
        self.org_id = org_id
        return self

    def process(self, formdata, data=None, extra_filters=None):
        super().process(formdata, data, extra_filters)
        self.label = Label(f"{self.id}-name", self.label.text)
        if formdata is not None:
            self.text = _clean(formdata.get(f"{self.name}-name", ""))[:254]

    def process_formdata(self, valuelist):
        raw = (valuelist[0] if valuelist else "").strip()
        self.data = int(raw) if raw.isdigit() and len(raw) <= 9 else None

    def pre_validate(self, form):
        people = sa.select(User).where(User.organisation_id == self.org_id, User.active.is_(True))
        user = db.session.scalar(people.where(User.id == self.data)) if self.data is not None else None
        if user is None and "@" in self.text:
            user = db.session.scalar(people.where(sa.func.lower(User.email) == self.text.lower()))
        self.user, self.data = user, getattr(user, "id", None)
        if user is None:
            raise ValidationError(_("请从建议列表中选择该单位的人员，或填写其平台账号邮箱")
                                  if self.text else _("必填"))
        self.text = user.name

    def _value(self):
        return "" if self.data is None else str(self.data)

    def __call__(self, **kwargs):
        kwargs.setdefault("id", f"{self.id}-name")
        kwargs.setdefault("type", "text")
        params = {"name": f"{self.name}-name", "value": self.text, "autocomplete": "off", "maxlength": 254,
                  "data-suggest": "", "data-suggest-url": f"/api/v1/users/suggest?org_id={self.org_id or 0}",
                  "data-suggest-pick": self.id, "placeholder": _("输入姓名或邮箱"), **kwargs}
        hidden = html_params(type="hidden", name=self.name, id=self.id, value=self._value())
        return Markup(f"<input {html_params(**params)}><input {hidden}>")
