"""A dataset's file through the uploads package: open data simply downloads; on-request data downloads
for a requester once the data access request is completed."""
import io

from marketplace.extensions import db
from marketplace.requests import services

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach(client, login, world, dataset):
    login(client, world.uni_user)
    resp = client.post(f"/requests/datasets/{dataset.id}/file", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(PDF), "water.pdf", "application/pdf")})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    html = client.get(f"/resources/{dataset.id}").get_data(as_text=True)
    return html.split('data-download href="')[1].split('"')[0].replace("&amp;", "&")


def test_open_dataset_simply_downloads(client, app, world, login):
    link = attach(client, login, world, world.open_dataset)
    anonymous = app.test_client()
    resp = anonymous.get(link)
    assert resp.status_code == 200 and resp.data == PDF
    assert "data-download" in anonymous.get(f"/resources/{world.open_dataset.id}").get_data(as_text=True)


def test_on_request_dataset_downloads_after_the_request_is_completed(client, app, world, login, make_request):
    link = attach(client, login, world, world.dataset)
    company = app.test_client()
    login(company, world.company_user)
    assert company.get(link).status_code == 403
    assert "data-download" not in company.get(f"/resources/{world.dataset.id}").get_data(as_text=True)
    req = make_request("data_access")
    services.accept_request(req, actor=world.uni_user)
    services.complete_request(req, actor=world.uni_user)
    db.session.commit()
    assert company.get(link).status_code == 200
    stranger = app.test_client()
    login(stranger, world.stranger)
    assert stranger.get(link).status_code == 403


def test_only_the_owner_attaches_and_only_pdf_jpeg_png(client, app, world, login):
    login(client, world.company_user)
    assert client.get(f"/requests/datasets/{world.dataset.id}/file").status_code == 403
    owner = app.test_client()
    login(owner, world.uni_user)
    resp = owner.post(f"/requests/datasets/{world.dataset.id}/file", content_type="multipart/form-data",
                      data={"file": (io.BytesIO(b"a,b\n1,2\n"), "data.csv", "text/csv")})
    assert resp.status_code == 200 and "PDF" in resp.get_data(as_text=True)
    assert owner.get("/requests/datasets/999999/file").status_code == 404
