"""One unit of work for every form post, API call and CLI command.

    with unit_of_work(form) as work:                  # a form post
        booking = services.request_booking(inst, start, end, purpose, actor=current_user)
    if work.committed:
        flash(_("预约申请已提交"), "success")
        return redirect(url_for("booking.detail", booking_id=booking.id))
    return render_template(...)                       # the error sits next to its field

On success the transaction commits. A domain error the person can act on (422 invalid, 409
conflict, 429, 503 gateway down) rolls back and is shown: next to the form field it names, else as a
flashed message; the block's exception is swallowed and `work.committed` stays False. 401, 403 and 404
roll back and propagate: they are answered by the error pages, never shown as a form message.
Any other exception rolls back and propagates (a 500).

`keep=(SomeError,)` commits the work done before such an error instead of rolling it back (a refused
login still records the failed attempt that slows guessing down); the error is shown all the same.

The API (`api.spec.endpoint`) and the CLI (`cli_unit_of_work`) use the same class with `show=False`:
every error propagates after the rollback and is answered as problem+json or a click error.
"""
import contextlib

import click

from ..extensions import db
from .db import _write_intent, set_write_intent
from .errors import DomainError

# Errors that are the caller's to act on and therefore shown on the form, not as an error page.
SHOWN_STATUSES = frozenset({400, 409, 422, 429, 503})


class UnitOfWork:
    def __init__(self, form=None, *, show: bool = True, keep: tuple = ()):
        self.form = form
        self.show = show
        self.keep = tuple(keep)
        self.committed = False
        self.error: DomainError | None = None
        self._token = None

    def __enter__(self):
        # SQLite: the transaction that begins inside takes the write lock up front (BEGIN IMMEDIATE).
        self._token = set_write_intent(True)
        return self

    def __exit__(self, exc_type, exc, tb):
        try:
            if exc is None:
                db.session.commit()
                self.committed = True
                return False
            if self.keep and isinstance(exc, self.keep):
                db.session.commit()
            else:
                db.session.rollback()
            if isinstance(exc, DomainError):
                self.error = exc
                if self.show and exc.status in SHOWN_STATUSES:
                    from .web import flash_error
                    flash_error(exc, self.form)
                    return True
            return False
        finally:
            _write_intent.reset(self._token)


def unit_of_work(form=None, *, show: bool = True, keep: tuple = ()) -> UnitOfWork:
    """A form post's (or, with show=False, any caller's) unit of work; see the module docstring."""
    return UnitOfWork(form, show=show, keep=keep)


@contextlib.contextmanager
def cli_unit_of_work():
    """A CLI command's unit of work: commit once, or roll back and exit with the domain error's text."""
    db.session.rollback()  # reads made before begin no transaction of their own; the write starts fresh
    work = UnitOfWork(show=False)
    try:
        with work:
            yield work
    except DomainError as err:
        fields = "; ".join(f"{name}: {' '.join(map(str, msgs))}" for name, msgs in err.errors.items()
                           if list(map(str, msgs)) != [str(err.detail)])
        raise click.ClickException(f"{err.detail} ({fields})" if fields else str(err.detail)) from None
