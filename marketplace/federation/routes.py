"""The open catalogue's public face: /oai, /cstr/…, /catalog.jsonld and the core format's schema."""
import os

from flask import Blueprint, Response, abort, redirect, render_template, request, send_from_directory, url_for

from ..catalog.identifiers import parse
from ..extensions import csrf
from . import catalogue, dcat, oai

bp = Blueprint("federation", __name__)
DATA = os.path.join(os.path.dirname(__file__), "data")


@bp.route("/oai", methods=["GET", "POST"])
@csrf.exempt
def oai_endpoint():
    """OAI-PMH 2.0: GET with a query string or POST with a form body (the protocol allows both)."""
    args = request.form if request.method == "POST" else request.args
    body = oai.answer(args, url_for("federation.oai_endpoint", _external=True))
    return Response(body, mimetype="text/xml", headers={"Cache-Control": "no-store"})


@bp.route("/oai/jsst_core.xsd")
def core_schema():
    return send_from_directory(DATA, "jsst_core.xsd", mimetype="application/xml", max_age=3600)


@bp.route("/cstr/<path:identifier>")
def resolve(identifier):
    """A persistent identifier's page: the listing while public, else its tombstone (410 Gone)."""
    if parse(identifier) is None:
        abort(404)
    resource = catalogue.by_identifier(identifier.strip())
    if resource is None:
        abort(404)
    if resource.status == "published":
        return redirect(url_for("catalog.detail", resource_id=resource.id), 303)
    return render_template("federation/tombstone.html", r=resource), 410


@bp.route("/catalog.jsonld")
def catalog_jsonld():
    """The DCAT catalogue in JSON-LD, one page of datasets at a time (?page=N)."""
    page = request.args.get("page", "1")
    if not page.isdigit() or not 0 < int(page) <= 1_000_000:
        abort(404)
    body = dcat.catalogue_page(int(page))
    if body is None:
        abort(404)
    return Response(body, mimetype="application/ld+json")
