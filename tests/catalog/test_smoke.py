def test_published_instrument_shows_on_sharing_platform(client, make_org, make_resource):
    org = make_org(name="南京大学现代分析中心")
    make_resource("instrument", org, title="场发射扫描电子显微镜 SU8010")
    make_resource("instrument", org, title="草稿中的透射电镜", status="draft")
    page = client.get("/platforms/sharing").get_data(as_text=True)
    assert "场发射扫描电子显微镜 SU8010" in page
    assert "草稿中的透射电镜" not in page


def test_owner_creates_submits_and_reviewer_publishes(client, make_org, make_user, login, app):
    from marketplace.catalog.models import Resource
    from marketplace.extensions import db
    org = make_org()
    owner = make_user(org=org)
    reviewer = make_user(roles=("reviewer",))
    login(client, owner)
    resp = client.post("/resources/new/instrument", data={
        "title": "400MHz 核磁共振波谱仪", "city": "南京", "platforms": ["sharing"], "model": "AVANCE NEO 400",
        "manufacturer": "Bruker", "original_value": "3200000", "category_l1": "分析仪器",
        "service_mode": "staff_operated", "price_unit": "sample", "internal_price": "100", "external_price": "300.50"})
    assert resp.status_code == 302, resp.get_data(as_text=True)
    r = db.session.scalar(db.select(Resource))
    assert r.status == "draft" and r.external_price == 30050 and r.original_value == 320000000
    assert client.post(f"/resources/{r.id}/submit").status_code == 302
    client.post("/logout")
    login(client, reviewer)
    assert client.post(f"/resources/{r.id}/publish").status_code == 302
    db.session.expire_all()
    assert db.session.get(Resource, r.id).status == "published"
