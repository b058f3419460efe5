"""The layout's import rules (DESIGN.md "Code layout"), checked on the source so a sideways import fails
the suite instead of waiting for a reviewer.

- ``disclosure/core`` imports no feature;
- a duty imports ``core`` and ``records`` (and ``catalog``), never a sibling duty;
- ``records`` imports only ``core``;
- the composing packages (site, dashboard, search, reports, api) and Django's entry points (models.py,
  admin.py, urls.py, reminders.py, management commands, template tags, migrations) may read features;
- no module of ``disclosure`` imports another at a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.conf import settings

DISCLOSURE = Path(settings.BASE_DIR) / "disclosure"
DUTIES = {"records", "interpretations", "consultations", "concerns", "service_guides", "applications", "feedback", "subscriptions"}
COMPOSERS = {"site", "dashboard", "search", "reports", "api"}
ENTRY_POINTS = {"models", "admin", "urls", "reminders", "jobs", "apps", "management", "templatetags", "migrations"}


def _module_name(path: Path) -> str:
    parts = path.relative_to(DISCLOSURE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every ``disclosure.*`` module the file imports, at any depth (lazy imports count too)."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith("disclosure"):
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("disclosure"))
    return found


def _package(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def _modules() -> dict[str, set[str]]:
    return {_module_name(path): _imports(path) for path in DISCLOSURE.rglob("*.py")}


def test_core_imports_no_feature():
    """The kernel stands alone: nothing in disclosure/core imports a feature package."""
    offenders = {
        (module, imported)
        for module, imports in _modules().items()
        if _package(module) == "core"
        for imported in imports
        if _package(imported) not in ("core", "")
    }
    assert not offenders, sorted(offenders)


def test_duties_import_only_core_records_and_themselves():
    """A duty reads the kernel and records, never a sibling duty or a composing package."""
    offenders = set()
    for module, imports in _modules().items():
        package = _package(module)
        if package not in DUTIES:
            continue
        allowed = {"core", package, ""} | ({"records"} if package != "records" else set())
        offenders.update((module, imported) for imported in imports if _package(imported) not in allowed)
    assert not offenders, sorted(offenders)


def test_every_package_is_known():
    """A new package is placed on purpose: as a duty, a composing package or an entry point."""
    packages = {_package(module) for module in _modules()} - {""}
    assert packages <= DUTIES | COMPOSERS | ENTRY_POINTS | {"core"}, packages - (DUTIES | COMPOSERS | ENTRY_POINTS)


def test_no_import_cycles_between_modules():
    """No two modules of disclosure import each other, directly or through others (lazy imports count)."""
    modules = _modules()
    graph = {module: {i for i in imports if i in modules and i != module} for module, imports in modules.items()}
    # Package __init__ files are empty here; an import of "disclosure.x" names the package only.
    graph = {m: {i for i in deps if not (DISCLOSURE.parent / i.replace(".", "/")).is_dir()} for m, deps in graph.items()}
    cycles = []
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        stack.append(module)
        for dep in sorted(graph.get(module, ())):
            if state.get(dep) == 1:
                cycles.append(stack[stack.index(dep):] + [dep])
            elif dep not in state:
                visit(dep)
        stack.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
    assert not cycles, cycles
