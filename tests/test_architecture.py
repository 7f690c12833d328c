"""The rules of the house, checked on the source (as polar's own linters do):

- no import cycle between modules, nor between the packages of ``mailrenew`` (``TYPE_CHECKING`` imports,
  which never run, are left out);
- each package writes only its own tables: no module writes another package's models through the ORM, and no
  raw SQL names another package's table.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from tortoise import Tortoise

from mailrenew import db

ROOT = Path(__file__).resolve().parents[1] / "backend" / "mailrenew"
WRITES = {
    "create",
    "bulk_create",
    "get_or_create",
    "update_or_create",
    "bulk_update",
    "update",
    "delete",
    "save",
    "select_for_update",
}
SQL_TABLE = re.compile(r"\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+\"?([a-z_]+)\"?", re.IGNORECASE)
# The composition root may write anything: demo data is loaded through the services where they exist.
OUTSIDE_THE_RULE = {"mailrenew.demo"}
# Modules that may READ other packages' tables in SQL (never write them), and why.
READERS = {
    "mailrenew.graphql.compiled": "the compiled read path answers a validated query in one statement; "
    "tests/graphql/test_compiled.py proves its answers equal to the packages' own reads",
}
SQL_WRITE = re.compile(r"\b(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?([a-z_]+)\"?", re.IGNORECASE)


def _modules() -> Iterator[tuple[str, Path]]:
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT.parent).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = list(relative.parts)
        if parts[-1] == "__init__":
            parts.pop()
        yield ".".join(parts), path


def _package(module: str) -> str:
    """``mailrenew.hosting.service`` → ``hosting``; a top-level module is its own package."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_nodes(tree: ast.AST) -> Iterator[ast.AST]:
    """Every node except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and _is_type_checking(child):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def _imports(module: str, path: Path) -> set[str]:
    found: set[str] = set()
    for node in _runtime_nodes(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("mailrenew")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mailrenew"):
            found.add(node.module)
            found |= {f"{node.module}.{a.name}" for a in node.names}
    known = {name for name, _ in _modules()}
    return {name for name in found if name in known and name != module}


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of the graph, if any (depth-first search)."""
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph.get(node, ())):
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state and (found := visit(target)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def _module_graph() -> dict[str, set[str]]:
    return {module: _imports(module, path) for module, path in _modules()}


def test_no_import_cycle_between_modules() -> None:
    assert _cycle(_module_graph()) is None


def test_no_import_cycle_between_packages() -> None:
    packages: dict[str, set[str]] = {}
    for module, targets in _module_graph().items():
        packages.setdefault(_package(module), set()).update(
            _package(t) for t in targets if _package(t) != _package(module) and _package(t) != "mailrenew"
        )
    assert _cycle(packages) is None


@pytest.fixture(scope="module")
def owners() -> dict[str, tuple[str, str]]:
    """Model class name → (owning package, table), from the models Tortoise knows."""
    Tortoise.init_models(db.MODEL_MODULES, db.APP, _init_relations=False)
    found = {}
    for model in Tortoise.apps[db.APP].values():
        found[model.__name__] = (_package(model.__module__), model._meta.db_table)
    return found


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript, ast.Await)):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _chain_methods(node: ast.expr) -> Iterator[str]:
    while isinstance(node, (ast.Attribute, ast.Call, ast.Subscript, ast.Await)):
        if isinstance(node, ast.Attribute):
            yield node.attr
        node = node.func if isinstance(node, ast.Call) else node.value


def _violations(owners: dict[str, tuple[str, str]]) -> list[str]:
    tables = {table: package for package, table in owners.values()}
    problems = []
    for module, path in _modules():
        if module in OUTSIDE_THE_RULE:
            continue
        package = _package(module)
        tree = ast.parse(path.read_text())
        foreign_models = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.endswith(".models")
            for alias in node.names
            if alias.name in owners and owners[alias.name][0] != package
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _root_name(node.func) in foreign_models:
                methods = set(_chain_methods(node.func)) & WRITES
                if methods:
                    problems.append(
                        f"{module}:{node.lineno} writes {_root_name(node.func)} ({', '.join(sorted(methods))})"
                    )
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                pattern = SQL_WRITE if module in READERS else SQL_TABLE
                for table in pattern.findall(node.value):
                    owner = tables.get(table.lower())
                    if owner is not None and owner != package:
                        problems.append(f"{module}:{node.lineno} runs SQL on {table} (owned by {owner})")
    return problems


def test_each_package_writes_only_its_own_tables(owners: dict[str, tuple[str, str]]) -> None:
    assert _violations(owners) == []


def test_the_check_sees_a_foreign_write(owners: dict[str, tuple[str, str]], tmp_path: Path) -> None:
    """The checker itself: a hosting module updating the ledger, or selecting from it, is caught."""
    tables = {table: package for package, table in owners.values()}
    assert tables["ledger_entries"] == "billing"
    assert tables["mailboxes"] == "hosting"
    source = 'from mailrenew.billing.models import LedgerEntry\nasync def f():\n    await LedgerEntry.filter(id=1).update(amount_cents=0)\nSQL = "SELECT * FROM ledger_entries"\n'
    tree = ast.parse(source)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and _root_name(n.func) == "LedgerEntry"]
    assert any(set(_chain_methods(c.func)) & WRITES for c in calls)
    assert SQL_TABLE.findall("SELECT * FROM ledger_entries") == ["ledger_entries"]
