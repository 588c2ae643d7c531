"""The English interface: source strings are Chinese, marketplace/translations/en holds the English catalog.

If a test here fails after you added or changed a `_('中文')` / `_l("中文")` string, run `make translations`,
translate the new entries of marketplace/translations/en/LC_MESSAGES/messages.po (no empty msgstr, no
`#, fuzzy`), then `make translations` again (or `.venv/bin/pybabel compile -d marketplace/translations`)
and keep the compiled messages.mo in the repository: it is what the app loads.
"""
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import render_template_string
from flask_babel import refresh

ROOT = Path(__file__).resolve().parents[1]
LC_DIR = ROOT / "marketplace" / "translations" / "en" / "LC_MESSAGES"
PO_PATH = LC_DIR / "messages.po"
MO_PATH = LC_DIR / "messages.mo"

PAGES = ["/", "/login", "/register", "/platforms/sharing", "/resources"]
# English text each page must show once switched (beyond the header that every page has).
PAGE_ENGLISH = {
    "/": ["Ten resource types", "Six service platforms"],
    "/login": ["No account yet?", "Register your organisation", "Email", "Password", "Remember me",
               "Forgot your password?"],
    "/register": ["Personal details", "Organisation details", "Confirm password", "Unified social credit code",
                  ">University</option>", ">Nanjing</option>"],
    "/platforms/sharing": ["Resource types", "Latest resources"],
    "/resources": ["All resources", "Filter", "Clear filters"],
}
CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u303f]+")


def _read_po():
    with open(PO_PATH, "rb") as f:
        return read_po(f, locale="en")


def _visible_text(html: str) -> str:
    """Page text without the language switch (which names Chinese in Chinese on purpose) and without
    form values (cities are stored under their Chinese names)."""
    html = re.sub(r'<a [^>]*lang="zh-CN"[^>]*>.*?</a>', "", html, flags=re.S)
    return re.sub(r'value="[^"]*"', "", html)


# -- the running app ------------------------------------------------------------------------------

def test_default_language_is_chinese(client):
    html = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in html
    assert "登录" in html and "注册" in html and "搜索" in html
    assert "Log in" not in html
    # The switch to English is offered.
    assert '/lang/en' in html


def test_browser_language_does_not_change_the_default(client):
    html = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"}).get_data(as_text=True)
    assert "登录" in html and "Log in" not in html


@pytest.mark.parametrize("url", PAGES)
def test_switching_to_english_translates_pages(client, url):
    resp = client.get("/lang/en")
    assert resp.status_code == 302
    resp = client.get(url)
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    assert 'lang="en"' in html
    for english in ["Log in", "Register", "Search", "Jiangsu Science and Technology Resource Platform",
                    *PAGE_ENGLISH[url]]:
        assert english in html, f"{url}: {english!r} missing in English"
    for chinese in ["登录", "注册", "搜索", "江苏省科技资源统筹服务平台", "跳到正文"]:
        assert chinese not in html, f"{url}: {chinese!r} still shown in English"
    leftovers = sorted(set(CJK.findall(_visible_text(html))))
    assert not leftovers, f"{url}: untranslated Chinese in the English page: {leftovers}"


def test_language_switch_back_to_chinese(client):
    client.get("/lang/en")
    assert "Log in" in client.get("/login").get_data(as_text=True)
    client.get("/lang/zh")
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html and "Log in" not in html


def test_unknown_language_keeps_chinese(client):
    client.get("/lang/xx")
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_lang_query_parameter(client):
    assert "Log in" in client.get("/login?lang=en").get_data(as_text=True)
    # Not sticky: the session still says Chinese.
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_signed_in_navigation_is_translated(client, make_org, make_user, login):
    user = make_user(org=make_org())
    login(client, user)
    client.get("/lang/en")
    html = client.get("/").get_data(as_text=True)
    for english in ["My bookings", "My resources", "Publish a resource", "Log out"]:
        assert english in html
    for chinese in ["我的预约", "我的资源", "退出"]:
        assert chinese not in html


def test_flash_message_is_translated(client, make_org, make_user):
    user = make_user(org=make_org(), name="Alice")
    client.get("/lang/en")
    resp = client.post("/login", data={"email": user.email, "password": "demo12345"}, follow_redirects=True)
    assert "Welcome back, Alice" in resp.get_data(as_text=True)


def test_booking_status_badge_is_translated(app):
    template = "{% from 'booking/_macros.html' import status_badge %}{{ status_badge('requested') }}"
    with app.test_request_context("/?lang=en"):
        refresh()  # the test keeps one app context: forget the locale Flask-Babel cached in it
        assert "Awaiting approval" in render_template_string(template)
    with app.test_request_context("/"):
        refresh()
        assert "待审批" in render_template_string(template)


# -- the catalog ----------------------------------------------------------------------------------

def test_catalog_has_no_untranslated_or_fuzzy_entries():
    catalog = _read_po()
    messages = [m for m in catalog if m.id]
    assert len(messages) > 300
    empty = [m.id for m in messages if not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not empty, f"untranslated entries in {PO_PATH.name}: {empty}"
    assert not fuzzy, f"fuzzy entries in {PO_PATH.name} (check and remove the flag): {fuzzy}"
    assert not catalog.fuzzy, "the catalog header is marked fuzzy"


def test_catalog_placeholders_match():
    problems = [(m.id, [str(e) for e in errors]) for m, errors in _read_po().check() if errors]
    assert not problems, problems


def test_english_strings_contain_no_chinese():
    catalog = _read_po()
    chinese = [(m.id, m.string) for m in catalog if m.id and CJK.search(str(m.string))]
    assert not chinese, chinese


def test_compiled_catalog_is_up_to_date():
    with open(MO_PATH, "rb") as f:
        compiled = {(m.id, m.context): m.string for m in read_mo(f) if m.id}
    source = {(m.id, m.context): m.string for m in _read_po() if m.id and not m.fuzzy}
    assert compiled == source, ("messages.mo differs from messages.po: run "
                                "`.venv/bin/pybabel compile -d marketplace/translations`")


def test_catalog_covers_every_source_string():
    """Every _()/gettext/_l/lazy_gettext string of the code and templates is in the English catalog."""
    method_map, options_map = [], {}
    section = None
    for line in (ROOT / "babel.cfg").read_text().splitlines():
        match = re.match(r"\[(\w+):\s*(.+?)\]", line.strip())
        if match:
            section = (match.group(2), match.group(1))
            method_map.append(section)
            options_map[section[0]] = {}
    keywords = dict(DEFAULT_KEYWORDS, _l=None, lazy_gettext=None, NC_=((1, "c"), 2))
    extracted = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=keywords):
        msgid = message if isinstance(message, str) else message[0]
        extracted.setdefault((msgid, context), f"{filename}:{lineno}")
    assert len(extracted) > 300
    catalog = _read_po()
    missing = {key: where for key, where in extracted.items() if catalog.get(*key) is None}
    assert not missing, ("strings missing from the English catalog (run `make translations` and translate "
                         f"them): {missing}")


# -- one language scheme: no "中文 / English" literals ---------------------------------------------

# A string literal holding Chinese, " / ", then English: the bilingual messages that reached people
# mixed-language before every string went through Flask-Babel. Comments and docstrings are not scanned.
BILINGUAL = re.compile(r"""(?P<q>["'])(?:(?!(?P=q)).)*?[\u3400-\u9fff](?:(?!(?P=q)).)*? / (?:\{[^}]*\}\s*)?[A-Za-z]""")


def _bilingual_literals(path: Path) -> int:
    import io
    import tokenize

    count = 0
    if path.suffix == ".py":
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        previous = None
        for tok in tokens:
            is_docstring = previous in (None, tokenize.INDENT, tokenize.NEWLINE, tokenize.DEDENT)
            if tok.type == tokenize.STRING and not is_docstring and BILINGUAL.search(tok.string):
                count += 1
            if tok.type not in (tokenize.NL, tokenize.COMMENT):
                previous = tok.type
    else:
        text = re.sub(r"\{#.*?#\}", "", path.read_text(encoding="utf-8"), flags=re.S)
        count = sum(1 for line in text.splitlines() if BILINGUAL.search(line))
    return count


def test_no_bilingual_literals():
    found = {}
    for path in [*(ROOT / "marketplace").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]:
        rel = str(path.relative_to(ROOT))
        if "/migrations/" in rel:
            continue
        n = _bilingual_literals(path)
        if n:
            found[rel] = n
    assert not found, ('"中文 / English" literals: write _("中文") and put the English in the catalog '
                       f"(see the module docstring): {found}")


def test_bilingual_scan_finds_what_it_must(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('"""文档 / docs are fine"""\n# 注释 / comments too\n'
                      'raise Invalid("请先登录 / please log in")\nx = f"共 {n} 条 / {n} rows"\nok = _("请先登录")\n',
                      encoding="utf-8")
    assert _bilingual_literals(sample) == 2
