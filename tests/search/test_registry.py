"""Other kinds of documents (technology demands, filed firms…) plug into the same index."""
import pytest
import sqlalchemy as sa

from marketplace.accounts.models import Organisation
from marketplace.extensions import db
from marketplace.search import documents
from marketplace.search.documents import KINDS, DocumentKind, RowView, text_fields


@pytest.fixture
def firm_kind():
    """Index service firms as a 'firm' kind — the way filed firms will register later."""
    def indexable():
        return sa.select(Organisation.id, sa.literal(None)).where(Organisation.kind == "service_firm")

    def load(session, ids):
        rows = session.execute(sa.select(Organisation.__table__).where(
            Organisation.id.in_(ids), Organisation.kind == "service_firm")).mappings()
        return [RowView(r) for r in rows]

    def build(o):
        doc = {"key": f"firm:{o.id}", "kind": "firm", "id": o.id, "type": "firm", "city": o.city,
               "org": str(o.id), "version": "", "schema_version": documents.SCHEMA_VERSION}
        doc.update(text_fields(o.name, [o.city, "技术经理人事务所"], snippet_texts=[o.name]))
        return doc

    kind = documents.register(DocumentKind(name="firm", model=Organisation, indexable=indexable, load=load,
                                           build=build, url=lambda i: f"/firms/{i}", version=lambda o: ""))
    yield kind
    KINDS.pop("firm", None)


def test_a_new_kind_is_indexed_searched_and_faceted(firm_kind, make_org, make_resource, api_search, index):
    firm = make_org(name="江苏科技成果转化服务有限公司", kind="service_firm", city="苏州")
    make_resource("service", firm, title="科技成果转化咨询服务")
    body = api_search(q="成果转化")
    assert {(i["type"], i["url"]) for i in body["items"]} >= {("firm", f"/firms/{firm.id}")}
    assert body["facets"]["type"] == {"firm": 1, "service": 1}
    assert api_search(q="成果转化", type="firm")["total"] == 1
    firm.kind = "enterprise"  # no longer a firm: leaves the index after commit
    db.session.commit()
    assert api_search(q="成果转化", type="firm")["total"] == 0
    assert index.check()["extra"] == []
