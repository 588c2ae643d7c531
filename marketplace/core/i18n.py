"""One language scheme: Chinese source strings, English in the catalog (Flask-Babel).

Reference data that is shown to people (resource types and their fields, choices, platforms, cities,
organisation kinds) is declared with its Chinese name wrapped in `N_()`: an identity function that
`pybabel extract` collects (one of Babel's default keywords), so the English lives in the catalog like
every other string, and `tr()` shows it in the interface language. The Chinese name stays the data
(search documents, the API's `name_zh`); the API's `name_en` fields keep the English of the declaration.
"""
from flask_babel import gettext


def N_(text: str) -> str:
    """Mark a data string for the catalog without translating it here."""
    return text


def tr(zh: str | None) -> str | None:
    """A Chinese data string in the interface language (Chinese outside a request)."""
    return gettext(zh) if zh else zh
