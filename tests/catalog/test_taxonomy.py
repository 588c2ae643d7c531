"""Instrument categories come from the national classification: selects grouped by the level above,
one path, never free text (forms and API alike)."""
import pytest

from marketplace.catalog import taxonomy
from marketplace.catalog.schemas import listing_values
from marketplace.core.errors import Invalid


def test_the_classification_holds_every_demo_path():
    from marketplace.demo import vocab
    for l1, l2, l3 in {i[2] for i in vocab.INSTRUMENTS}:
        assert taxonomy.path_error(l1, l2, l3) is None, (l1, l2, l3)


@pytest.mark.parametrize("l1, l2, l3, field", [
    ("分析仪器", "力学性能测试仪器", None, "category_l2"),    # a second level of another first level
    ("分析仪器", "电子光学仪器", "核磁共振波谱仪", "category_l3"),  # a third level of another second level
    ("光学仪器", None, None, "category_l1"),                  # not in the classification
    ("分析仪器", "自己写的分类", None, "category_l2"),
])
def test_a_category_off_the_classification_is_refused(app, l1, l2, l3, field):
    data = dict(title="t", model="m", manufacturer="x", original_value=1, service_mode="staff_operated",
                price_unit="hour", internal_price=1, external_price=1, category_l1=l1, category_l2=l2,
                category_l3=l3)
    with pytest.raises(Invalid) as err:
        listing_values("instrument", data)
    assert field in err.value.errors
    ok = dict(data, category_l1="分析仪器", category_l2="电子光学仪器", category_l3="电子显微镜")
    assert listing_values("instrument", ok)["category_l3"] == "电子显微镜"


def test_the_form_offers_grouped_selects(client, login, make_user, make_org):
    login(client, make_user(org=make_org()))
    page = client.get("/resources/new/instrument").get_data(as_text=True)
    assert '<select' in page and 'name="category_l2"' in page and '<optgroup label="分析仪器">' in page
    assert '<option value="电子显微镜">电子显微镜</option>' in page
