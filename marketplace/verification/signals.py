"""Verification signals, sent inside the service after the change is flushed. Receivers get
`(qualification, actor=...)`; subsidy and booking pages may listen to refresh what they show."""
from blinker import Namespace

_signals = Namespace()

qualification_claimed = _signals.signal("qualification-claimed")
qualification_decided = _signals.signal("qualification-decided")  # verified, rejected, revoked, withdrawn
