"""Subsidy programmes and the ledger's trial balance."""
from ..core.permissions import require_role
from .. import ledger
from ..subsidy import services
from . import bp
from .common import api_actor


@bp.get("/subsidy/programmes")
def subsidy_programmes():
    """Public: how much public money each programme holds, reserved and committed."""
    return {"items": [services.programme_json(p) for p in services.list_programmes()]}


@bp.get("/subsidy/programmes/<int:programme_id>")
def subsidy_programme(programme_id):
    return services.programme_json(services.get_programme(programme_id))


@bp.get("/ledger/trial-balance")
def ledger_trial_balance():
    require_role(api_actor(), "finance")
    return ledger.trial_balance()


_programme = {"type": "object", "properties": {
    "id": {"type": "integer"}, "year": {"type": "integer"}, "name": {"type": "string"},
    "budget": {"type": "integer", "description": "fen"}, "reserved": {"type": "integer", "description": "fen"},
    "committed": {"type": "integer", "description": "fen"},
    "remaining": {"type": "integer", "description": "fen = budget - reserved - committed"}}}

OPENAPI_PATHS = {
    "/subsidy/programmes": {"get": {"summary": "Subsidy programmes", "responses": {"200": {
        "description": "{items: [programme]}", "content": {"application/json": {"schema": {
            "type": "object", "properties": {"items": {"type": "array", "items": _programme}}}}}}}}},
    "/subsidy/programmes/{id}": {"get": {
        "summary": "One subsidy programme with its rules (fen, basis points)",
        "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}],
        "responses": {"200": {"description": "programme", "content": {"application/json": {"schema": _programme}}},
                      "404": {"description": "no such programme"}}}},
    "/ledger/trial-balance": {"get": {
        "summary": "Trial balance of the ledger (finance role)",
        "responses": {"200": {"description": "{accounts: {name: balance (debit - credit, fen)}, total_debits, "
                                             "total_credits}"},
                      "401": {"description": "not logged in"}, "403": {"description": "not finance"}}}},
}
