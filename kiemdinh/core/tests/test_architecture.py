"""The rules of docs/architecture.md that import-linter does not express: across apps, a module imports only another
app's models, selectors, services, access and choices (or a sub-module of those), never its views, forms or private
names; no domain app imports documents. (The layers themselves are import-linter's contract, run by .ci/run.)"""

import ast
from pathlib import Path

import kiemdinh

ROOT = Path(kiemdinh.__file__).parent
PUBLIC = {"models", "selectors", "services", "access", "choices"}
# The few other modules that are an app's public face, each for a reason:
PUBLIC_MODULES = {
    "frameworks.rules",  # the pure rule engine: indicator results → levels (DESIGN.md, "Regulations are data")
    "frameworks.spec",  # a regulation version's data as read from its file, for the engine
    "frameworks.contract",  # the stable `evaluate` contract (DESIGN.md), shared by the command and the API
    "frameworks.subjects",  # "a criterion or a Mức 4 item": its one representation
    "recognition.authority",  # the one rule table of who decides what, used by evaluation and the pages
    "frameworks.evidence_codes",  # the circulars' evidence code schemes ([H1-1.1-01], MC.1.3.01): parse and link
    "evidence.files",  # what an uploaded file may be, and its size in words
}
# Layers that gather other apps and may import more than their public face: nothing imports them.
GATHERING = {"devtools", "testing"}
DOMAIN = {
    "accounts",
    "units",
    "frameworks",
    "selfassessment",
    "evidence",
    "improvement",
    "recognition",
    "evaluation",
    "planning",
    "oversight",
    "emulation",
}


def _imports():
    """(importing file, importing app, imported module, imported names) of every kiemdinh import outside tests."""
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or len(parts) < 2:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("kiemdinh."):
                yield path.relative_to(ROOT), parts[0], node.module, [a.name for a in node.names]


def _offences():
    found = []
    for path, app, module, names in _imports():
        target = module.split(".")[1:]
        other = target[0]
        if other in (app, "core", "testing") or app in GATHERING:
            continue
        # `from kiemdinh.app import services` names the module in the imported names.
        paths = [target] if len(target) > 1 else [[*target, name] for name in names]
        for dotted in paths:
            public = any(part in PUBLIC for part in dotted[1:]) or ".".join(dotted[:2]) in PUBLIC_MODULES
            private = any(part.startswith("_") for part in dotted[1:]) or any(n.startswith("_") for n in names)
            if not public or private:
                found.append(f"{path}: {'.'.join(dotted)} {names}")
    return found


def test_across_apps_only_the_public_modules_are_imported():
    assert _offences() == []


def test_no_domain_app_imports_documents():
    offences = [f"{path}: {module}" for path, app, module, _ in _imports() if app in DOMAIN and ".documents" in module]
    assert offences == []
