"""Glue between the web layer and domain errors, shared by every blueprint."""
from flask import flash, jsonify, render_template, request
from flask_babel import get_locale

from .errors import DomainError


def wants_json() -> bool:
    return request.path.startswith("/api/")


def problem(status: int, title: str, detail: str = "", errors: dict | None = None):
    """An application/problem+json response."""
    body = {"status": status, "title": title, "detail": detail or title, "errors": errors or {}}
    resp = jsonify(body)
    resp.status_code = status
    resp.mimetype = "application/problem+json"
    return resp


def handle_domain_error(err: DomainError):
    if wants_json():
        return problem(err.status, err.title, err.detail, err.errors)
    return render_template("errors/error.html", status=err.status, title=err.title,
                           detail=err.detail), err.status


def flash_error(err: DomainError, form=None):
    """Show a domain error on a form: next to its fields when it names them, else as a message."""
    placed = False
    if form is not None:
        for name, messages in err.errors.items():
            field = getattr(form, name, None)
            if field is not None and hasattr(field, "errors"):
                field.errors = list(field.errors) + list(messages)
                placed = True
    if not placed:
        flash(err.detail, "error")


def locale() -> str:
    return str(get_locale() or "zh")


def bilingual_choices(pairs, prefix_key: bool = False):
    """Form choices whose labels follow the interface language, from pairs of (value, (zh, en))."""
    from flask_babel import LazyString

    def label(value, zh, en):
        text = en if locale() == "en" else zh
        return f"{value} {text}" if prefix_key else text

    return [(value, LazyString(lambda v=value, zh=zh, en=en: label(v, zh, en))) for value, (zh, en) in pairs]
