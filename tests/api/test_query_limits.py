"""Issue 25, schemathesis: an over-long URL answers a declared 414, and the search's q/city/type are
parsed strictly (a clear 422 on the field, as the API description says), never a 5xx."""
import pytest

from marketplace.core.security import MAX_URL_BYTES


@pytest.mark.parametrize("url", ["/api/v1/search?q=", "/api/v1/resources?city=", "/search?q=", "/api/v1/"])
def test_an_over_long_url_is_a_414(client, url):
    resp = client.get(url + "a" * (MAX_URL_BYTES + 1))
    assert resp.status_code == 414
    if url.startswith("/api/"):
        assert resp.mimetype == "application/problem+json" and resp.get_json()["status"] == 414


def test_a_url_just_under_the_limit_is_served(client):
    assert client.get("/api/v1/resources?x=" + "a" * (MAX_URL_BYTES - 40)).status_code == 200


def test_every_operation_declares_414_and_the_query_limits(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            assert "414" in operation["responses"], (method, path)
    params = {p["name"]: p["schema"] for p in doc["paths"]["/search"]["get"]["parameters"]}
    assert params["q"]["maxLength"] == 500
    assert "pattern" in str(params["type"])


@pytest.mark.parametrize("params, field", [
    ({"q": "电" * 501}, "q"), ({"type": "<script>"}, "type"), ({"type": "spaceship"}, "type"),
    ({"type": "x" * 300}, "type"), ({"city": "上海"}, "city"), ({"city": "南京 "}, "city"),
    ({"city": ["南京", "无锡"]}, "city"), ({"q": ["a", "b"]}, "q"), ({"type": ["instrument", "dataset"]}, "type"),
])
def test_search_arguments_are_parsed_strictly(client, params, field):
    resp = client.get("/api/v1/search", query_string=params)
    assert resp.status_code == 422, resp.data
    assert field in resp.get_json()["errors"]
