"""Listing forms pick the discipline, a researcher's field and the instrument categories from lists, named
in the interface language; a name stored before (or harvested) outside the list is kept on an edit."""
import re

import sqlalchemy as sa

from marketplace.catalog.models import Resource
from marketplace.extensions import db
from tests.catalog.data import form_data


def _options(html: str, name: str) -> list[tuple[str, str]]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select)


def test_discipline_and_field_are_selects_named_in_the_interface_language(client, make_org, make_user, login):
    org = make_org()
    login(client, make_user(org=org))
    html = client.get("/resources/new/talent").get_data(as_text=True)
    assert ("材料科学", "材料科学") in _options(html, "discipline") and ("医学", "医学") in _options(html, "field")
    client.get("/lang/en")
    html = client.get("/resources/new/talent").get_data(as_text=True)
    assert ("材料科学", "Materials science") in _options(html, "discipline")
    assert ("计算机科学", "Computer science") in _options(html, "field")
    html = client.get("/resources/new/instrument").get_data(as_text=True)
    assert ("分析仪器", "Analytical instruments") in _options(html, "category_l1")

    resp = client.post("/resources/new/talent", data=form_data("talent", field="计算机科学", discipline="医学"))
    assert resp.status_code == 302
    r = db.session.scalar(sa.select(Resource))
    assert (r.discipline, r.field) == ("医学", "计算机科学")


def test_a_name_outside_the_list_is_kept_on_edit(client, make_org, make_user, login, make_resource):
    org = make_org()
    login(client, make_user(org=org))
    r = make_resource("talent", org, status="draft", field="新能源材料", discipline="新能源")
    html = client.get(f"/resources/{r.id}/edit").get_data(as_text=True)
    assert ("新能源", "新能源") in _options(html, "discipline") and ("新能源材料", "新能源材料") in _options(html, "field")
    assert re.search(r'<option selected value="新能源"|<option value="新能源" selected', html)
