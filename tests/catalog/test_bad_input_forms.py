"""Bad input to the listing forms is shown next to the field and changes nothing."""
import re

import pytest
import sqlalchemy as sa

from marketplace.catalog.models import Resource
from marketplace.extensions import db
from tests.catalog.data import form_data


def _rows():
    return {t: db.session.execute(sa.text(f"SELECT count(*) FROM {t}")).scalar()
            for t in ("resources", "resource_platforms", "audit_log")}


def field_error(page: str, name: str) -> bool:
    """The field `name` is rendered with an error next to it."""
    return bool(re.search(r'<div class="field[^"]*has-error">\s*(<input[^>]*>\s*)?<label for="' + name + '"', page))


CASES = {  # name: (type, changes, field that must show the error)
    "missing title": ("instrument", {"title": None}, "title"),
    "blank title": ("instrument", {"title": "   "}, "title"),
    "title 10,000 chars": ("instrument", {"title": "仪" * 10_000}, "title"),
    "description too long": ("instrument", {"description": "x" * 20_001}, "description"),
    "missing required own field": ("instrument", {"model": None}, "model"),
    "money not a number": ("instrument", {"original_value": "四百万"}, "original_value"),
    "negative money": ("instrument", {"external_price": "-5"}, "external_price"),
    "money NaN": ("instrument", {"external_price": "NaN"}, "external_price"),
    "money sNaN": ("instrument", {"external_price": "sNaN"}, "external_price"),
    "money infinite": ("instrument", {"original_value": "Infinity"}, "original_value"),
    "money absurd": ("instrument", {"original_value": "1e400"}, "original_value"),
    "unknown service mode": ("instrument", {"service_mode": "flying"}, "service_mode"),
    "city outside Jiangsu": ("instrument", {"city": "上海"}, "city"),
    "unknown platform": ("instrument", {"platforms": ["moon"]}, "platforms"),
    "no platform": ("instrument", {"platforms": None}, "platforms"),
    "impossible date": ("instrument", {"purchase_date": "2019-13-01"}, "purchase_date"),
    "ancient date": ("instrument", {"purchase_date": "0001-01-01"}, "purchase_date"),
    "future date": ("instrument", {"purchase_date": "2999-01-01"}, "purchase_date"),
    "bad contact e-mail": ("instrument", {"contact_email": "not-an-email"}, "contact_email"),
    "TRL 0": ("achievement", {"trl": "0"}, "trl"),
    "TRL 10": ("achievement", {"trl": "10"}, "trl"),
    "TRL not a number": ("achievement", {"trl": "七"}, "trl"),
    "unknown transaction mode": ("achievement", {"transaction_modes": ["steal"]}, "transaction_modes"),
    "int not a number": ("facility", {"area_m2": "很大"}, "area_m2"),
    "negative int": ("incubator", {"seats": "-1"}, "seats"),
    "biosafety level 5": ("bioresource", {"biosafety_level": "5"}, "biosafety_level"),
    "finance min above max": ("finance", {"amount_min": "500", "amount_max": "100"}, "amount_max"),
}


@pytest.mark.parametrize("type_key, changes, field", CASES.values(), ids=CASES.keys())
def test_create_form_with_bad_input_shows_the_error_and_saves_nothing(type_key, changes, field, client, make_org,
                                                                      make_user, login):
    login(client, make_user(org=make_org()))
    data = {k: v for k, v in form_data(type_key, **changes).items() if v is not None}
    before = _rows()
    resp = client.post(f"/resources/new/{type_key}", data=data)
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert field_error(page, field), field
    assert "请修改标红的字段后再保存" in page
    assert _rows() == before


@pytest.mark.parametrize("changes, field", [({"title": ""}, "title"), ({"external_price": "-1"}, "external_price"),
                                            ({"service_mode": "x"}, "service_mode"), ({"title": "t" * 10_000}, "title")])
def test_edit_form_with_bad_input_changes_nothing(changes, field, client, make_org, make_user, login, make_resource):
    org = make_org()
    r = make_resource("instrument", org, title="原来的标题", external_price=40_000)
    login(client, make_user(org=org))
    before = _rows()
    resp = client.post(f"/resources/{r.id}/edit", data=form_data("instrument", **changes))
    assert resp.status_code == 200 and field_error(resp.get_data(as_text=True), field)
    db.session.expire_all()
    r = db.session.get(Resource, r.id)
    assert (r.title, r.external_price) == ("原来的标题", 40_000) and _rows() == before


@pytest.mark.parametrize("rid", ["0", "99999999999", "2147483648"])
def test_absurd_ids_in_web_routes_are_404(rid, client, make_org, make_user, login):
    login(client, make_user(org=make_org(), roles=("admin",)))
    assert client.get(f"/resources/{rid}").status_code == 404
    assert client.get(f"/resources/{rid}/edit").status_code == 404
    assert client.post(f"/resources/{rid}/submit").status_code == 404


def test_reject_reason_over_500_chars_is_refused(client, make_org, make_user, login, make_resource):
    r = make_resource("talent", make_org(), status="pending_review")
    login(client, make_user(roles=("reviewer",)))
    assert client.post(f"/resources/{r.id}/reject", data={"reason": "理" * 10_000}).status_code == 400
    db.session.expire_all()
    assert db.session.get(Resource, r.id).status == "pending_review"
