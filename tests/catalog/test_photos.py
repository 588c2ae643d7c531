"""Issue 15 item 8: listing photos through the uploads — owners add, order and remove up to N photos on
the edit page; the public sees them on the page and the first as the cards' thumbnail."""
import io

import pytest

from marketplace.catalog.models import ResourcePhoto
from marketplace.extensions import db
from marketplace.uploads.models import Upload

from ..uploads.conftest import JPEG, PDF, PNG


@pytest.fixture
def lab(make_org):
    return make_org(name="南京大学测试中心", kind="university", city="南京")


@pytest.fixture
def owner(make_user, lab):
    return make_user(org=lab)


@pytest.fixture
def inst(make_resource, lab):
    return make_resource("instrument", lab, title="透射电镜")


def post_photos(client, resource_id, *files):
    data = {"photos": [(io.BytesIO(content), name) for content, name in files]}
    return client.post(f"/resources/{resource_id}/photos", data=data, content_type="multipart/form-data")


def order(resource_id):
    db.session.expire_all()
    return [p.upload_id for p in db.session.scalars(db.select(ResourcePhoto).where(
        ResourcePhoto.resource_id == resource_id).order_by(ResourcePhoto.position))]


def test_owner_adds_orders_and_removes_photos_the_public_sees_them(app, client, login, inst, owner):
    login(client, owner)
    resp = post_photos(client, inst.id, (PNG, "正面.png"), (JPEG, "侧面.jpg"))
    assert resp.status_code == 303 and resp.headers["Location"].endswith(f"/resources/{inst.id}/edit#photos")
    first, second = order(inst.id)
    public = app.test_client()
    assert public.get(f"/uploads/{first}").data == PNG  # public listing photos: anyone may read them
    page = public.get(f"/resources/{inst.id}").get_data(as_text=True)
    assert f"/uploads/{first}" in page and f"/uploads/{second}" in page
    cards = public.get("/resources?type=instrument").get_data(as_text=True)
    assert f'class="card-thumb" src="/uploads/{first}"' in cards

    client.post(f"/resources/{inst.id}/photos/{second}/up")
    assert order(inst.id) == [second, first]
    cards = public.get("/resources?type=instrument").get_data(as_text=True)
    assert f'class="card-thumb" src="/uploads/{second}"' in cards  # the first photo is the thumbnail
    client.post(f"/resources/{inst.id}/photos/{second}/remove")
    assert order(inst.id) == [first]
    assert db.session.get(Upload, second).public is False
    assert public.get(f"/uploads/{second}").status_code in (401, 403)
    edit = client.get(f"/resources/{inst.id}/edit").get_data(as_text=True)
    assert 'id="photos"' in edit and "1 / 8" in edit


def test_bad_photos_are_refused_with_nothing_kept(app, client, login, inst, owner):
    login(client, owner)
    resp = post_photos(client, inst.id, (PDF, "说明书.pdf"))
    assert resp.status_code == 303 and order(inst.id) == []
    assert "照片只接受 JPEG 或 PNG 图片" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Upload.id))) == 0
    assert post_photos(client, inst.id).status_code == 303 and order(inst.id) == []  # no file chosen
    app.config["LISTING_MAX_PHOTOS"] = 2
    post_photos(client, inst.id, (PNG, "1.png"), (PNG, "2.png"))
    resp = post_photos(client, inst.id, (PNG, "3.png"))
    assert "每个资源最多 2 张照片" in client.get(resp.headers["Location"]).get_data(as_text=True)
    assert len(order(inst.id)) == 2
    assert client.post(f"/resources/{inst.id}/photos/999999/remove").status_code == 404
    assert client.post(f"/resources/{inst.id}/photos/{order(inst.id)[0]}/sideways").status_code == 404
    assert client.post(f"/resources/{inst.id}/photos/99999999999999999999/up").status_code == 404


def test_others_cannot_touch_photos(app, client, login, inst, owner, make_user, make_org):
    login(client, owner)
    post_photos(client, inst.id, (PNG, "1.png"))
    (photo,) = order(inst.id)
    client.post("/logout")
    login(client, make_user(org=make_org(kind="enterprise")))
    assert post_photos(client, inst.id, (PNG, "x.png")).status_code == 403
    assert client.post(f"/resources/{inst.id}/photos/{photo}/remove").status_code == 403
    assert order(inst.id) == [photo]
    assert app.test_client().post(f"/resources/{inst.id}/photos/{photo}/remove").status_code in (302, 401)
