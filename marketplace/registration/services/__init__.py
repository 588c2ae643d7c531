"""Registration services, split by sub-entity; import from here."""
from ..schemas import ApplicationIn, application_in  # noqa: F401
from .access import allowed_actions, can_view, get_registration, is_applicant, is_registrar  # noqa: F401
from .applications import (  # noqa: F401
                           applicant_defaults,
                           create_application,
                           fields_of,
                           submit_application,
                           today_local,
                           update_application,
)
from .confirmation import (  # noqa: F401
                           confirm_as_buyer,
                           is_buyer,
                           needs_buyer,
                           record_buyer_confirmation,
                           waiting_for_us,
)
from .prefill import prefill_for_deal, register_prefill_source, unregister_prefill_source  # noqa: F401
from .review import (  # noqa: F401
                           approve_application,
                           days_left,
                           next_serial,
                           queue,
                           queue_size,
                           refuse_application,
                           return_application,
)
from .verify import find_by_number, public_facts  # noqa: F401
