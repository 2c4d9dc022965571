"""The folders are the architecture: imports flow one way, and each package keeps to its job."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

FLOWS = ROOT / "flows"
# core <- stages in order <- the surfaces (report <- orchestration <- eval <- cli).
LAYERS = ("core", "ingest", "clean", "extract", "resolve", "validate", "publish", "report", "orchestration", "eval", "cli")
MAX_LINES = 400
# Libraries only one package may know.
OWNERS = {"prefect": "orchestration", "prefect_dask": "orchestration", "deltalake": "publish"}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


MODULES = {module_name(p): p for p in sorted(FLOWS.rglob("*.py"))}


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in LAYERS) else None


def flows_imports(tree: ast.AST) -> list[tuple[str, list[str], int]]:
    """(module, imported names, line) of every `from flows... import` and `import flows...`."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "flows":
            found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(a.name, [], node.lineno) for a in node.names if a.name.split(".")[0] == "flows"]
    return found


def targets(module: str, names: list[str]) -> set[str]:
    """The flows modules an import statement reaches (a submodule when a name is one)."""
    reached = {module}
    reached |= {f"{module}.{n}" for n in names if f"{module}.{n}" in MODULES}
    return {m for m in reached if m in MODULES}


def graph() -> dict[str, set[str]]:
    edges = {}
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        edges[name] = {t for module, names, _ in flows_imports(tree) for t in targets(module, names)} - {name}
    return edges


def test_every_module_is_in_a_package_of_the_architecture():
    loose = [m for m in MODULES if m.count(".") == 1 and m.split(".")[1] not in LAYERS and m != "flows.pipeline"]
    assert loose == [], "modules belong in core, a stage, or a surface"
    assert {m.split(".")[1] for m in MODULES if m.count(".") >= 1} - {"pipeline"} <= set(LAYERS)


@pytest.mark.parametrize("module", sorted(MODULES), ids=str)
def test_a_module_fits_on_a_few_screens(module):
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_imports_flow_one_way():
    wrong = []
    for module, deps in graph().items():
        here = package_of(module)
        if here is None:
            continue
        for dep in deps:
            there = package_of(dep)
            if there is not None and LAYERS.index(there) > LAYERS.index(here):
                wrong.append(f"{module} imports {dep}")
    assert wrong == []


def test_no_import_cycle():
    edges, state, path = graph(), {}, []

    def visit(node):
        state[node] = "open"
        path.append(node)
        for dep in sorted(edges[node]):
            if state.get(dep) == "open":
                raise AssertionError("cycle: " + " -> ".join(path[path.index(dep) :] + [dep]))
            if dep not in state:
                visit(dep)
        state[node] = "done"
        path.pop()

    for node in sorted(edges):
        if node not in state:
            visit(node)


def test_only_its_owner_imports_prefect_or_delta_lake():
    wrong = []
    for module, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            roots = [a.name.split(".")[0] for a in node.names] if isinstance(node, ast.Import) else [node.module.split(".")[0]] if isinstance(node, ast.ImportFrom) and node.module else []
            wrong += [f"{module}:{node.lineno} imports {r}" for r in roots if r in OWNERS and package_of(module) != OWNERS[r]]
    assert wrong == []


def test_no_private_name_is_used_outside_its_module():
    wrong = []
    for module, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for imported, names, line in flows_imports(tree):
            wrong += [f"{module}:{line} imports {imported}.{n}" for n in names if n.startswith("_") and n != "__version__"]
        local = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} & {t for imported, names, _ in flows_imports(tree) for t in names}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in local:
                if node.attr.startswith("_") and not node.attr.startswith("__"):
                    wrong.append(f"{module}:{node.lineno} uses {node.value.id}.{node.attr}")
    assert wrong == []


def test_each_package_names_its_entry_points():
    for package in LAYERS:
        init = FLOWS / package / "__init__.py"
        assert init.exists(), package
        tree = ast.parse(init.read_text(encoding="utf-8"))
        assert ast.get_docstring(tree), f"{package}/__init__.py says what the package does"
        exported = next((n.value for n in tree.body if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)), None)
        assert isinstance(exported, ast.List) and exported.elts, f"{package}/__init__.py names its entry points in __all__"
        import importlib

        loaded = importlib.import_module(f"flows.{package}")
        for name in ast.literal_eval(exported):
            assert getattr(loaded, name) is not None, f"flows.{package}.{name}"


def test_the_old_flow_entry_point_still_imports():
    from flows.orchestration.flow import news_pipeline
    from flows.pipeline import news_pipeline as recorded  # deployments record flows.pipeline:news_pipeline

    assert recorded is news_pipeline
