"""One language scheme: Chinese source strings, English in the catalog (Flask-Babel).

Reference data that is shown to people (resource types and their fields, choices, platforms, cities,
organisation kinds, trading states) is declared with its Chinese name wrapped in `N_()`: an identity
function that `pybabel extract` collects (one of Babel's default keywords), so the English lives in the
catalog like every other string, and `tr()` shows it in the interface language. The Chinese name stays
the data (search documents, the API's `name_zh`); `english()` reads the catalog for the API's `name_en`
fields, which answer in English whatever the request's language.

A Chinese word that means two things (已退回: a reviewer's "rejected", the subsidy's "refunded") gets a
context with `NC_(context, text)` (a msgctxt in the catalog), so each meaning keeps its own English.
"""
from functools import lru_cache
from pathlib import Path

from babel.support import Translations
from flask_babel import LazyString, gettext, pgettext

TRANSLATIONS = Path(__file__).resolve().parents[1] / "translations"


class _InContext(str):
    """A marked data string that carries its catalog context; compares and hashes as the plain text."""
    context: str


def N_(text: str) -> str:
    """Mark a data string for the catalog without translating it here."""
    return text


def NC_(context: str, text: str) -> str:
    """Mark a data string whose catalog entry has a context (msgctxt), without translating it here."""
    marked = _InContext(text)
    marked.context = context
    return marked


def tr(zh: str | None) -> str | None:
    """A Chinese data string in the interface language (Chinese outside a request)."""
    if not zh:
        return zh
    context = getattr(zh, "context", None)
    return pgettext(context, zh) if context else gettext(zh)


def lazy_tr(zh: str) -> LazyString:
    """`tr(zh)` when the text is rendered: a form's choice label, declared once at import."""
    return LazyString(tr, zh)


@lru_cache(maxsize=1)
def _english_catalog() -> Translations:
    return Translations.load(str(TRANSLATIONS), ["en"])


def english(zh: str) -> str:
    """A marked data string's English from the compiled catalog, in any request language (or none)."""
    context = getattr(zh, "context", None)
    catalog = _english_catalog()
    return catalog.pgettext(context, zh) if context else catalog.gettext(zh)


class Message(dict):
    """A translatable text and its named parameters, kept apart until it is shown, so it can be rendered
    in the reader's language: a notification is written when the sender acts and read (or mailed) in the
    recipient's language. Imported as `_l` where it is written (`_l("预约已批准：%(title)s", title=t)`), so
    `pybabel extract` collects the text like any lazy string.

    It is a dict (`text`, `context`, `params`), so it goes through a job's JSON arguments and into a JSON
    column unchanged; a parameter is kept as text, or as a message of its own (rendered in the same
    language: `was=_l("爽约")`, or a marked data string such as a kind's name: `kind=_l(KINDS[k])`)."""

    def __init__(self, text: str, context: str | None = None, **params):
        super().__init__(text=str(text), context=context or getattr(text, "context", None),
                         params={key: _param(value) for key, value in params.items()})

    @classmethod
    def load(cls, data: "dict | str") -> "Message":
        """A message from its stored form (a dict read back from JSON), or the message itself; a plain
        string (what a person typed: a reason, a comment) is shown as written in every language."""
        if isinstance(data, str):
            return cls(VERBATIM, text_=data)
        return cls(data["text"], data.get("context"), **data.get("params") or {})

    def render(self) -> str:
        """The text in the current language (Chinese outside a request; see `flask_babel.force_locale`)."""
        params = {key: _render(value) for key, value in self["params"].items()}
        context = self["context"]
        return pgettext(context, self["text"], **params) if context else gettext(self["text"], **params)

    __str__ = render

    def __html__(self) -> str:
        from markupsafe import escape
        return str(escape(self.render()))


VERBATIM = "%(text_)s"  # not in the catalog: rendered as the text itself


def _param(value):
    if isinstance(value, LazyString):  # a label declared with lazy_gettext/lazy_tr: its msgid, kept lazy
        return Message(value._args[0], **value._kwargs)
    return Message.load(value) if isinstance(value, dict) else ("" if value is None else str(value))


def _render(value) -> str:
    return Message.load(value).render() if isinstance(value, dict) else value
