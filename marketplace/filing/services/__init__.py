"""Firm filing services, split by sub-entity: filings (application and review), numbers, directory,
annual reports and the sweep, evaluation. Each takes the entity first and the actor keyword-only,
checks permission first, raises core.errors and only flushes."""
from .brokers import active_broker_firm, is_active_broker  # noqa: F401
from .directory import directory, public_figures, public_firm, verify, verify_state  # noqa: F401
from .evaluation import computed_parts, evaluate_firm, evaluations_of  # noqa: F401
from .filings import (ACTIONS, allowed_actions, approve_filing, create_filing, current_comments,  # noqa: F401
                      filings_of, get_filing, is_firm_side, is_reviewer, may_edit, reinstate_firm,
                      reject_filing, return_filing, review_queue, revoke_firm, sees_private, start_review,
                      submit_filing, suspend_firm, update_filing)
from .reports import (create_annual_report, due_date, get_report, reports_of, submit_annual_report,  # noqa: F401
                      sweep, update_annual_report)
