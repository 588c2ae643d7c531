"""The city picker of the registration form: a party's prefecture chosen by name, its GB/T 2260 code
underneath. Jiangsu's 13 cities come first (in the interface language); the other provinces'
prefectures follow, grouped by province, for parties outside Jiangsu."""
from functools import lru_cache

from flask_babel import gettext as _
from markupsafe import Markup, escape
from stdnum import numdb
from wtforms.widgets import html_params

from ..core.i18n import tr
from .reference import JIANGSU_CITY_CODES
from .rules import city_code_name

_PLAIN = ("市辖区", "县")  # a municipality's districts: the province's own name says it


@lru_cache(maxsize=1)
def other_prefectures() -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
    """((province, ((code, name), …)), …) of every current prefecture outside Jiangsu (python-stdnum)."""
    table = numdb.get("cn/loc")
    out = []
    for p in range(11, 83):
        province = next((info["province"] for part, info in table.info(f"{p}0000") if "province" in info), None)
        if province is None or p == 32:
            continue
        cities = []
        for c in range(1, 100):
            code = f"{p}{c:02d}"
            name = city_code_name(code)
            if name:
                cities.append((code, province if name in _PLAIN else name))
        if cities:
            out.append((province, tuple(cities)))
    return tuple(out)


def city_label(code: str | None) -> str:
    """A stored code as people read it: 苏州（3205）, Suzhou (3205) in English."""
    if not code:
        return ""
    name = JIANGSU_CITY_CODES.get(code)
    if name:
        return f"{tr(name)}（{code}）"
    other = city_code_name(code)
    return f"{other}（{code}）" if other else code


class CityCodeSelect:
    """A <select> of prefecture names whose values are the 4-digit codes; a stored code that is not in
    the list (an old or mistyped one) stays visible as its own option, so the user sees what to fix."""

    def __call__(self, field, **kwargs):
        kwargs.setdefault("id", field.id)
        current = field.data or ""
        known = set(JIANGSU_CITY_CODES) | {c for _p, cities in other_prefectures() for c, _n in cities}

        def option(code, text):
            selected = " selected" if code == current else ""
            return f'<option value="{escape(code)}"{selected}>{escape(text)}</option>'

        parts = [option("", _("请选择地市"))]
        if current and current not in known:
            parts.append(option(current, _("无效的代码 %(code)s", code=current)))
        parts.append(f'<optgroup label="{escape(_("江苏省"))}">')
        parts += [option(code, f"{tr(name)}（{code}）") for code, name in JIANGSU_CITY_CODES.items()]
        parts.append("</optgroup>")
        for province, cities in other_prefectures():
            parts.append(f'<optgroup label="{escape(province)}">')
            parts += [option(code, f"{name}（{code}）") for code, name in cities]
            parts.append("</optgroup>")
        return Markup(f"<select {html_params(name=field.name, **kwargs)}>{''.join(parts)}</select>")
