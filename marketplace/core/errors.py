"""Domain errors raised by services; mapped to flash messages (web) and problem+json (API)."""


class DomainError(Exception):
    status = 400
    title = "Bad request"

    def __init__(self, detail: str = "", errors: dict[str, list[str]] | None = None, extra: dict | None = None):
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or {}
        self.extra = extra or {}  # more members of the problem+json answer (e.g. a refused bid's next_valid)


class Invalid(DomainError):
    status = 422
    title = "Invalid input"

    @classmethod
    def field(cls, name: str, message: str) -> "Invalid":
        return cls(message, {name: [message]})


class Unauthorized(DomainError):
    status = 401
    title = "Authentication required"


class Forbidden(DomainError):
    status = 403
    title = "Forbidden"


class NotFound(DomainError):
    status = 404
    title = "Not found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"


class Unavailable(DomainError):
    """An outside service (payment gateway, mail) cannot be reached; nothing was changed."""

    status = 503
    title = "Service unavailable"


class TooManyAttempts(DomainError):
    status = 429
    title = "Too many attempts"
