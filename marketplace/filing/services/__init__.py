"""Firm filing services, split by sub-entity: filings (application and review), numbers, directory,
annual reports and the sweep, evaluation. Each takes the entity first and the actor keyword-only,
checks permission first, raises core.errors and only flushes."""
from .brokers import active_broker_firm, is_active_broker  # noqa: F401
from .directory import directory, public_figures, public_firm, verify, verify_state  # noqa: F401
from .evaluation import computed_parts, evaluate_firm, evaluations_of  # noqa: F401
from .filings import (  # noqa: F401
                      allowed_actions,
                      create_filing,
                      filings_of,
                      get_filing,
                      id_number_for,
                      is_firm_side,
                      is_reviewer,
                      may_edit,
                      sees_private,
                      submit_filing,
                      update_filing,
)
from .reports import (  # noqa: F401
                      create_annual_report,
                      due_date,
                      get_report,
                      reports_of,
                      submit_annual_report,
                      sweep,
                      update_annual_report,
)
from .review import (  # noqa: F401
                      ACTIONS,
                      approve_filing,
                      current_comments,
                      reinstate_firm,
                      reject_filing,
                      return_filing,
                      review_queue,
                      revoke_firm,
                      start_review,
                      suspend_firm,
)
