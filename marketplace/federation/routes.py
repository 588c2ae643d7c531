"""The open catalogue's public face (/oai, /cstr/…, /catalog.jsonld, the core format's schema) and the
staff pages of the partner platforms we harvest."""
import os

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, send_from_directory, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..catalog.identifiers import parse
from ..core.uow import unit_of_work
from ..extensions import csrf
from . import catalogue, dcat, oai, services
from .forms import PartnerForm
from .models import REGIONS

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


# -- staff: partner platforms ------------------------------------------------------------------------

def _staff():
    if not current_user.is_authenticated:
        abort(401)
    if not current_user.has_role(services.STAFF):
        abort(403)


@bp.route("/federation/partners", methods=["GET", "POST"])
@login_required
def partners():
    _staff()
    form = PartnerForm()
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                partner = services.add_partner(services.partner_input(form.values()), actor=current_user)
            if work.committed:
                flash(_("已添加合作平台“%(name)s”", name=partner.name), "success")
                return redirect(url_for("federation.partner", partner_id=partner.id))
        status = 422
    return render_template("federation/partners.html", partners=services.list_partners(), form=form,
                           counts=services.record_counts(), regions=REGIONS), status


@bp.route("/federation/partners/<int:partner_id>", methods=["GET", "POST"])
@login_required
def partner(partner_id):
    _staff()
    p = services.get_partner(partner_id)
    form = PartnerForm(obj=p)
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            with unit_of_work(form) as work:
                services.update_partner(p, services.partner_input(form.values()), actor=current_user)
            if work.committed:
                flash(_("已保存"), "success")
                return redirect(url_for("federation.partner", partner_id=p.id))
        status = 422
    return render_template("federation/partner.html", p=p, form=form, reports=services.reports(p),
                           count=services.record_counts().get(p.id, 0), regions=REGIONS), status


@bp.route("/federation/partners/<int:partner_id>/harvest", methods=["POST"])
@login_required
def harvest_now(partner_id):
    """Harvest now (as a background job: the partner may take a while); the report appears below."""
    _staff()
    p = services.get_partner(partner_id)
    with unit_of_work() as work:
        services.request_harvest(p, actor=current_user)
    if work.committed:
        flash(_("已开始采集，完成后刷新本页查看报告"), "success")
    return redirect(url_for("federation.partner", partner_id=p.id))
