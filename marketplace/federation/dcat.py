"""The catalogue in DCAT (https://www.w3.org/TR/vocab-dcat-3/) as JSON-LD, a page at a time.

Each public listing is a `dcat:Dataset` named by its persistent identifier's resolver URL; a
scientific dataset also gets a `dcat:Distribution` (its DOI or page, format and licence). The
catalogue node links the page's datasets; Hydra's paging terms link the pages (next, previous, last).
"""
import json
from urllib.parse import quote

import sqlalchemy as sa
from flask import current_app, url_for
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF
from sqlalchemy.orm import selectin_polymorphic

from ..catalog.models import MODELS, Resource
from ..extensions import db
from . import catalogue
from .metadata import clean

HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
CONTEXT = {"dcat": str(DCAT), "dct": str(DCTERMS), "foaf": str(FOAF), "hydra": str(HYDRA), "xsd": str(XSD)}


def catalogue_page(page: int) -> str | None:
    """The JSON-LD document of page `page` (None past the last page)."""
    size = current_app.config["DCAT_PAGE_SIZE"]
    public = sa.select(Resource).where(Resource.status == "published", catalogue.in_catalogue())
    total = catalogue.count(public)
    last = max(1, -(-total // size))
    if page > last:
        return None
    rows = db.session.scalars(public.order_by(Resource.id).offset((page - 1) * size).limit(size)
                              .options(selectin_polymorphic(Resource, list(MODELS.values())))).all()
    g = Graph()
    for prefix, ns in CONTEXT.items():
        g.bind(prefix, ns)
    base = url_for("federation.catalog_jsonld", _external=True)
    cat = URIRef(base)
    g.add((cat, RDF.type, DCAT.Catalog))
    g.add((cat, DCTERMS.title, Literal(current_app.config["OAI_REPOSITORY_NAME"], lang="zh")))
    g.add((cat, FOAF.homepage, URIRef(url_for("catalog.home", _external=True))))
    publisher = BNode()
    g.add((cat, DCTERMS.publisher, publisher))
    g.add((publisher, RDF.type, FOAF.Organization))
    g.add((publisher, FOAF.name, Literal(current_app.config["OAI_REPOSITORY_NAME"], lang="zh")))
    view = URIRef(f"{base}?page={page}")
    g.add((cat, HYDRA.view, view))
    g.add((cat, HYDRA.totalItems, Literal(total, datatype=XSD.integer)))
    g.add((view, RDF.type, HYDRA.PartialCollectionView))
    g.add((view, HYDRA.first, URIRef(f"{base}?page=1")))
    g.add((view, HYDRA.last, URIRef(f"{base}?page={last}")))
    if page < last:
        g.add((view, HYDRA.next, URIRef(f"{base}?page={page + 1}")))
    if page > 1:
        g.add((view, HYDRA.previous, URIRef(f"{base}?page={page - 1}")))
    for r in rows:
        _dataset(g, cat, r)
    return json.dumps(json.loads(g.serialize(format="json-ld", context=CONTEXT, auto_compact=True)),
                      ensure_ascii=False)


def _dataset(g: Graph, cat, r: Resource):
    c = catalogue.core(r)
    ds = URIRef(url_for("federation.resolve", identifier=r.cstr, _external=True))
    g.add((cat, DCAT.dataset, ds))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.identifier, Literal(r.cstr)))
    g.add((ds, DCTERMS.title, Literal(clean(c.name), lang="zh")))
    if c.description:
        g.add((ds, DCTERMS.description, Literal(clean(c.description), lang="zh")))
    g.add((ds, DCTERMS.type, Literal(c.type, lang="zh")))
    for k in c.keywords:
        g.add((ds, DCAT.keyword, Literal(clean(k), lang="zh")))
    if c.subject:
        g.add((ds, DCAT.theme, Literal(clean(c.subject), lang="zh")))
    g.add((ds, DCTERMS.spatial, Literal(c.location, lang="zh")))
    g.add((ds, DCTERMS.modified, Literal(r.updated_at.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)))
    if r.published_at:
        g.add((ds, DCTERMS.issued, Literal(r.published_at.strftime("%Y-%m-%dT%H:%M:%SZ"), datatype=XSD.dateTime)))
    g.add((ds, DCAT.landingPage, URIRef(c.url)))
    org = BNode()
    g.add((ds, DCTERMS.publisher, org))
    g.add((org, RDF.type, FOAF.Organization))
    g.add((org, FOAF.name, Literal(clean(c.provider), lang="zh")))
    if r.type == "dataset":  # scientific data: how to get it
        dist = BNode()
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        doi = (getattr(r, "doi", None) or "").strip()
        access = f"https://doi.org/{quote(doi, safe='/:;()._-')}" if doi.startswith("10.") else c.url
        g.add((dist, DCAT.accessURL, URIRef(access)))
        if getattr(r, "data_format", None):
            g.add((dist, DCTERMS["format"], Literal(clean(r.data_format))))
        if getattr(r, "licence", None):
            g.add((dist, DCTERMS.license, Literal(clean(r.licence))))
        g.add((dist, DCTERMS.rights, Literal(c.sharing_mode, lang="zh")))
