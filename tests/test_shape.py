"""Every domain has the same shape (DESIGN.md), checked on the source so that a new module keeps it.

Read with `ast`, not imported: the rules are about how the code is written.
"""
import ast
import pathlib

import pytest

from marketplace import DOMAINS

ROOT = pathlib.Path(__file__).resolve().parents[1] / "marketplace"
# Guards whose one subject is the actor (require_login(actor), require_role(actor, "finance")) read
# as a sentence with it first; every other function takes the actor by keyword.
ACTOR_FIRST = {("core/permissions.py", name) for name in
               ("require_login", "require_role", "require_member", "require_org_admin")}


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if not rel.startswith(("migrations/", "translations/")):
            yield rel, ast.parse(path.read_text(encoding="utf-8"))


MODULES = dict(_modules())


def _is_service(rel: str) -> bool:
    parts = rel.split("/")
    return "services" in parts or parts[-1] == "services.py"


def test_every_function_takes_the_actor_by_keyword():
    positional = []
    for rel, tree in MODULES.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (rel, node.name) not in ACTOR_FIRST:
                if "actor" in [a.arg for a in node.args.posonlyargs + node.args.args]:
                    positional.append(f"{rel}:{node.lineno} {node.name}")
    assert positional == []


@pytest.mark.parametrize("rel", sorted(r for r in MODULES if _is_service(r)))
def test_services_do_not_read_the_logged_in_user(rel):
    """Who acts is a parameter (`actor`), so the API, jobs and the command line call the same code."""
    names = {a.name for node in ast.walk(MODULES[rel]) if isinstance(node, ast.ImportFrom)
             and node.module in ("flask_login", "flask_login.utils") for a in node.names}
    assert "current_user" not in names


def test_api_modules_are_named_after_their_packages():
    from marketplace.api import API_MODULES
    own = set(API_MODULES) - {"spec"}
    assert own <= set(DOMAINS), own - set(DOMAINS)
    files = {p.stem for p in (ROOT / "api").glob("*.py")} - {"__init__", "spec", "common"}
    assert files == own


@pytest.mark.parametrize("domain", [d for d in DOMAINS if d not in ("core", "api")])
def test_a_domain_keeps_its_services_and_routes_in_one_place_each(domain):
    """services.py or a services/ package, routes.py or a routes/ package: never a second
    `*_routes.py` or `*_services.py` beside them."""
    names = {p.name for p in (ROOT / domain).iterdir()}
    assert not {n for n in names if n.endswith(("_routes.py", "_services.py"))}
    assert not {"services.py", "services"} <= names and not {"routes.py", "routes"} <= names


def test_no_module_is_longer_than_400_lines():
    """Code, that is: the demo seeder's word lists and generator tables are data."""
    long = {rel: n for rel in MODULES if not rel.startswith("demo/")
            and (n := len((ROOT / rel).read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def test_services_and_rules_check_input_by_declaration_not_isinstance():
    """Values are checked by the payload's pydantic model or `core.schema.validated` annotations
    (CONTRIBUTING.md, "services.py"), not by `isinstance` chains. What is left is not input checking
    (a query tree's node type, a ledger invariant, …). The count is the one of
    `grep -rn isinstance marketplace --include=*.py | grep -E "/services/|/services\\.py|rules"`."""
    import re
    pattern = re.compile(r"/services/|/services\.py|rules")
    hits = [f"{rel}:{n}" for path in sorted(ROOT.rglob("*.py"))
            for rel in [f"marketplace/{path.relative_to(ROOT).as_posix()}"]
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
            if "isinstance" in line and pattern.search(f"{rel}:{n}:{line}")]
    assert len(hits) <= 20, hits
