"""Issue 25 (Low): tags, contacts and discipline of a published listing changed without review and were
searchable at once (the search side: test_revisions_search.py). Now they wait for a reviewer like every public text; the published version stays."""
from marketplace.extensions import db
from tests.catalog.test_revisions import edit_form, fresh, inst, lab, owner, pending, reviewer  # noqa: F401

SPAM = "澳门博彩代理"


def test_tags_contacts_and_discipline_of_a_published_listing_wait_for_review(app, client, login, inst, owner,
                                                                            reviewer):
    assert fresh(inst.id).status == "published"
    login(client, owner)
    resp = client.post(f"/resources/{inst.id}/edit", data=edit_form(
        inst, tags=f"电镜,{SPAM}", discipline="博彩学", contact_name="代理小王", contact_phone="13800000000",
        contact_email="spam@evil.example"))
    assert resp.status_code in (302, 303)
    listing = fresh(inst.id)
    assert (listing.tags or "").find(SPAM) < 0 and listing.discipline != "博彩学"
    assert listing.contact_phone == "025-0000" and listing.contact_email != "spam@evil.example"
    (revision,) = pending(inst.id)
    assert {"tags", "discipline", "contact_name", "contact_phone", "contact_email"} <= set(revision.changes)
    public = app.test_client()
    page = public.get(f"/resources/{inst.id}").get_data(as_text=True)
    assert SPAM not in page and "13800000000" not in page and "spam@evil.example" not in page
    client.post("/logout")
    login(client, reviewer)
    assert client.post(f"/revisions/{revision.id}/approve").status_code in (302, 303)
    db.session.expire_all()
    assert SPAM in fresh(inst.id).tags and fresh(inst.id).contact_phone == "13800000000"
    assert "13800000000" in public.get(f"/resources/{inst.id}").get_data(as_text=True)  # approved: public
