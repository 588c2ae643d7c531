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
