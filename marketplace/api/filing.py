"""Firm filing, the public directory of firms, the verify answer and annual reports."""
from ..core.permissions import require_login
from ..extensions import db
from ..filing import services
from ..filing.schemas import (
    AnnualReportIn,
    AnnualReportOut,
    AnnualReportPatch,
    FilingActionIn,
    FilingIn,
    FilingOut,
    FirmOut,
    FirmPage,
    FirmQuery,
    FirmVerifyOut,
)
from .common import api_actor
from .spec import endpoint

ERRORS = (401, 403, 404, 409, 422)


def _out(firm, *, actor) -> FilingOut:
    return FilingOut.of(firm, services.allowed_actions(firm, actor=actor),
                        id_number=lambda manager: services.id_number_for(manager, actor=actor))


@endpoint("/filings", "POST", body=FilingIn, answer=FilingOut, status=201, errors=ERRORS, tags=["filings"])
def create_filing(json: FilingIn):
    """Start a filing (a draft: any fields may be missing). A person without an organisation files for a
    new firm; the admin of a service-firm organisation for it."""
    actor = require_login(api_actor())
    firm = services.create_filing(json.changes(), actor=actor)
    return _out(firm, actor=actor), 201, {"Location": f"/api/v1/filings/{firm.id}"}


@endpoint("/filings/<int:id>", answer=FilingOut, errors=(401, 404), tags=["filings"])
def get_filing(id):
    """A filing, with managers' ID numbers and review comments (the firm and reviewers only)."""
    actor = require_login(api_actor())
    return _out(services.get_filing(id, actor=actor), actor=actor)


@endpoint("/filings/<int:id>", "PATCH", body=FilingIn, answer=FilingOut, errors=ERRORS, tags=["filings"])
def update_filing(id, json: FilingIn):
    """Save fields of a draft or returned filing; `managers` and `document_ids` replace the lists."""
    actor = require_login(api_actor())
    firm = services.update_filing(services.get_filing(id, actor=actor), json.changes(), actor=actor)
    return _out(firm, actor=actor)


def _action(name):
    def view(id, json: FilingActionIn):
        actor = require_login(api_actor())
        firm = services.get_filing(id, actor=actor)
        services.ACTIONS[name](firm, actor, comment=json.comment, reason=json.reason, comments=json.comments)
        return _out(firm, actor=actor)
    view.__name__ = f"filing_{name.replace('-', '_')}"
    view.__doc__ = {
        "submit": "Submit or resubmit (the applicant): every field is checked; 422 names each problem.",
        "start-review": "A reviewer starts the review.",
        "return": "A reviewer returns the filing with `comments` per section (basic, managers, documents, general).",
        "approve": "A reviewer approves: the filing number 苏技经备〔YYYY〕NNNN号 is issued.",
        "reject": "A reviewer rejects, with a `reason`.",
        "suspend": "A platform admin suspends an approved firm, with a `reason`.",
        "reinstate": "A platform admin reinstates a suspended firm.",
        "revoke": "A platform admin revokes the filing, with a `reason`.",
    }[name]
    return view


for _name in services.ACTIONS:
    endpoint(f"/filings/<int:id>/{_name}", "POST", body=FilingActionIn, answer=FilingOut, errors=ERRORS,
             tags=["filings"])(_action(_name))


def firm_out(firm) -> FirmOut:
    figures = services.public_figures(firm)
    return FirmOut.model_validate({
        "id": firm.id, "name": firm.name, "city": firm.city, "number": firm.number, "status": firm.status,
        "business_scope": firm.business_scope, "approved_at": firm.approved_at,
        "managers": [{"name": m.name, "level": m.level} for m in firm.managers], "figures": figures})


@endpoint("/firms", query=FirmQuery, answer=FirmPage, errors=(422,), tags=["firms"])
def list_firms(query: FirmQuery):
    """The public directory of filed firms: `q` searches names, cities, business scope and managers'
    names; filters by city and by managers' level. Never ID numbers."""
    stmt = services.directory(q=query.q, city=query.city, level=query.level)
    page = db.paginate(stmt, page=query.page, per_page=query.per_page, error_out=False)
    return FirmPage(items=[firm_out(f) for f in page.items], total=page.total, page=query.page,
                    per_page=query.per_page)


@endpoint("/firms/<int:id>", answer=FirmOut, errors=(404,), tags=["firms"])
def get_firm(id):
    """A filed firm's public page: managers' names and levels, number, status, deals and amounts."""
    return firm_out(services.public_firm(id))


@endpoint("/firms/verify/<path:number>", answer=FirmVerifyOut, errors=(404,), tags=["firms"])
def verify_firm(number):
    """Is this filing number valid, suspended or revoked? 404 when no firm holds it."""
    firm = services.verify(number)
    return FirmVerifyOut(number=firm.number, status=services.verify_state(firm), name=firm.name, city=firm.city,
                         approved_at=firm.approved_at)


def _report_out(report) -> AnnualReportOut:
    data = {name: getattr(report, name) for name in AnnualReportOut.model_fields if hasattr(report, name)}
    data["due_on"] = services.due_date(report.year)
    return AnnualReportOut.model_validate(data)


@endpoint("/firms/<int:id>/annual-reports", "POST", body=AnnualReportIn, answer=AnnualReportOut, status=201,
          errors=ERRORS, tags=["firms"])
def create_annual_report(id, json: AnnualReportIn):
    """Start the annual report on `year`, pre-filled from platform records (deals brokered, registered
    contracts and 技术交易额, amounts received, enterprises served)."""
    actor = require_login(api_actor())
    report = services.create_annual_report(services.get_filing(id, actor=actor), json.year, actor=actor)
    return _report_out(report), 201


@endpoint("/annual-reports/<int:id>", answer=AnnualReportOut, errors=(401, 404), tags=["firms"])
def get_annual_report(id):
    """An annual report (the firm and reviewers)."""
    return _report_out(services.get_report(id, actor=require_login(api_actor())))


@endpoint("/annual-reports/<int:id>", "PATCH", body=AnnualReportPatch, answer=AnnualReportOut, errors=ERRORS,
          tags=["firms"])
def update_annual_report(id, json: AnnualReportPatch):
    """The firm's off-platform figures (labelled as declared) and notes, until submitted."""
    actor = require_login(api_actor())
    report = services.update_annual_report(services.get_report(id, actor=actor),
                                           json.model_dump(include=json.model_fields_set), actor=actor)
    return _report_out(report)


@endpoint("/annual-reports/<int:id>/submit", "POST", answer=AnnualReportOut, errors=ERRORS, tags=["firms"])
def submit_annual_report(id):
    """Submit the report; the platform figures are refreshed one last time."""
    actor = require_login(api_actor())
    return _report_out(services.submit_annual_report(services.get_report(id, actor=actor), actor=actor))
