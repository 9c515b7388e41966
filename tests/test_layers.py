"""The code's layers, checked from its imports: core < delivery < features.

Every `import` in listserve/ counts, those inside functions too (a function-level import is
still a dependency; it only hides a cycle from Python's loader). Each import is mapped to the
unit it lands in: `core`, `delivery`, a feature package, the leaves `extensions` and `config`,
or the composition root (`listserve/__init__.py`, `cli.py`, `models.py`, `__main__.py`), which
may import everything and which nothing below it imports.
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "listserve"
FEATURES = {"subscriptions", "public", "committee", "announcements", "archive", "inbound", "api",
            "members"}
ROOT_MODULES = {"__init__.py", "__main__.py", "cli.py", "config.py", "extensions.py", "models.py"}
LEAVES = {"extensions", "config"}
ROOT = "app"  # the composition root


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def unit_of(module: str) -> str | None:
    """The unit a listserve module belongs to; None for a module outside listserve."""
    parts = module.split(".")
    if parts[0] != "listserve":
        return None
    if len(parts) == 1 or parts[1] in ("cli", "models", "__main__"):
        return ROOT
    return parts[1]


def imports_of(path: Path) -> set[str]:
    """Every module `path` imports (absolute, relative, at any depth of the file)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    here = module_name(path).split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module
            found.add(module)
            # `from listserve import cli` imports the module listserve.cli.
            folder = PACKAGE.parent / module.replace(".", "/")
            found.update(f"{module}.{alias.name}" for alias in node.names
                         if (folder / f"{alias.name}.py").exists()
                         or (folder / alias.name).is_dir())
    return found


def unit_edges() -> dict[tuple[str, str], list[str]]:
    """(from unit, to unit) -> the imports that make that edge, as 'file: module'."""
    edges: dict[tuple[str, str], list[str]] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        source = unit_of(module_name(path))
        for module in imports_of(path):
            target = unit_of(module)
            if target is None or target == source:
                continue
            # `from listserve import x` names the root package only as the way to reach x.
            if module == "listserve" and source != ROOT:
                continue
            edges.setdefault((source, target), []).append(
                f"{path.relative_to(PACKAGE.parent)}: {module}"
            )
    return edges


def cycles(edges) -> list[list[str]]:
    """The strongly connected components of more than one unit (Tarjan)."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_cycle_between_packages():
    edges = unit_edges()
    found = cycles(edges)
    detail = [
        f"{' <-> '.join(c)}: " + "; ".join(
            f"{a}->{b} ({edges[a, b][0]})" for a in c for b in c if (a, b) in edges
        )
        for c in found
    ]
    assert not found, "import cycles between packages:\n" + "\n".join(detail)


@pytest.mark.parametrize("lower, higher", [
    ("core", "delivery"), ("core", "features"), ("core", ROOT),
    ("delivery", "features"), ("delivery", ROOT),
    ("extensions", "anything"), ("config", "anything"),
])
def test_lower_layers_import_no_higher_one(lower, higher):
    def is_higher(unit):
        if higher == "features":
            return unit in FEATURES
        if higher == "anything":
            return True
        return unit == higher

    wrong = [where for (a, b), places in unit_edges().items()
             if a == lower and is_higher(b) for where in places]
    assert not wrong, f"{lower} imports {higher}:\n" + "\n".join(sorted(wrong))


def test_features_do_not_import_the_composition_root():
    wrong = [where for (a, b), places in unit_edges().items()
             if b == ROOT and a != ROOT for where in places]
    assert not wrong, "imports of create_app, cli or models from below:\n" + "\n".join(wrong)


def test_the_package_holds_core_delivery_the_features_and_the_root_modules_only():
    entries = {p.name for p in PACKAGE.iterdir() if p.name != "__pycache__"}
    packages = {name for name in entries if (PACKAGE / name).is_dir()}
    modules = entries - packages
    assert packages <= {"core", "delivery", "static", "translations", *FEATURES}, packages
    assert modules <= ROOT_MODULES, sorted(modules - ROOT_MODULES)


def test_only_delivery_writes_the_outbox_tables():
    """Outbox rows and mailings are inserted, updated, deleted and made under delivery/ only."""
    models = ("OutboxEntry", "Mailing")
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "delivery":
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            writes = name in ("insert", "update", "delete") and node.args and (
                ast.unparse(node.args[0]).split(".")[0] in models
            )
            if writes or name in models:  # a statement on the table, or a new row
                wrong.append(f"{rel}:{node.lineno}: {ast.unparse(node)[:80]}")
    assert not wrong, "outbox tables written outside delivery/:\n" + "\n".join(wrong)
