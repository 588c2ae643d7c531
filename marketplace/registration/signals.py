"""Registration signals, sent inside the service's transaction after the change is flushed; receivers
get `(registration, actor=...)` and may raise a DomainError to abort it. The filing helper's annual
reports and the census read registered contracts through these or through `services.stats`."""
from blinker import Namespace

_signals = Namespace()

registration_submitted = _signals.signal("registration-submitted")  # draft/returned -> submitted
registration_returned = _signals.signal("registration-returned")    # submitted -> returned (补正)
registration_approved = _signals.signal("registration-approved")    # submitted -> registered
registration_refused = _signals.signal("registration-refused")      # submitted -> refused
