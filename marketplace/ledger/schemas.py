"""The ledger API's payloads, declared once (answers and OpenAPI)."""
from pydantic import Field

from ..core.schema import Answer


class TrialBalanceOut(Answer):
    accounts: dict[str, int] = Field(description="account -> balance (debits - credits), fen")
    total_debits: int = Field(description="fen")
    total_credits: int = Field(description="fen")
