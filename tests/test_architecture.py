"""The shape of the code, read from its imports: no module imports itself back through others (no cycle), the
contract floor imports nothing of ours, and the dashboard stands on the floor only, never on pipelines or checks."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("contract", "pipelines", "checks", "dashboard")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def imported(name: str, path: Path) -> set[str]:
    """Our modules `name` imports, at the top or inside a function (a hidden import is still one); imports made
    only for type checkers (under `if TYPE_CHECKING:`) are not, and `from package import module` depends on
    that module, not on the package's __init__."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {id(node) for block in ast.walk(tree) if isinstance(block, ast.If)
                   and getattr(block.test, "id", getattr(block.test, "attr", None)) == "TYPE_CHECKING"
                   for statement in block.body for node in ast.walk(statement)}
    here = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = ".".join([*here[:len(here) - node.level + 1], *([node.module] if node.module else [])]) \
                if node.level else str(node.module)
            for alias in node.names:
                found.add(f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base)
    ours = set()
    for module in found:
        while module and module not in MODULES:
            module = module.rpartition(".")[0]
        if module and module != name:
            ours.add(module)
    return ours


GRAPH = {name: imported(name, path) for name, path in MODULES.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        for other in sorted(graph[module]):
            if other not in index:
                visit(other)
                low[module] = min(low[module], low[other])
            elif other in stack:
                low[module] = min(low[module], index[other])
        if low[module] == index[module]:
            component = []
            while (top := stack.pop()) != module:
                component.append(top)
            if component:
                found.append(sorted([module, *component]))

    for module in sorted(graph):
        if module not in index:
            visit(module)
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    assert len(GRAPH) > 80 and GRAPH["pipelines.ingest"] >= {"contract.sources", "checks.gate"}
    assert not cycles(GRAPH)


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_the_floor_imports_nothing_of_ours_and_the_dashboard_only_the_floor() -> None:
    leaks = {name: sorted(d for d in deps if not d.startswith(allowed))
             for name, deps in GRAPH.items()
             for prefix, allowed in (("contract", ("contract",)), ("dashboard", ("dashboard", "contract")),
                                     ("checks", ("checks", "contract")))
             if name.split(".")[0] == prefix}
    assert not {name: deps for name, deps in leaks.items() if deps}


def test_hidden_imports_count_and_type_checking_imports_do_not() -> None:
    assert "dashboard.filters" not in GRAPH["dashboard.db"]  # under `if TYPE_CHECKING:` only
    assert "pipelines.build" in GRAPH["pipelines.ingest"]  # imported inside a function


def test_the_warehouse_setting_is_read_by_the_two_entry_points_only() -> None:
    """`PMO_DB` / --db is read once where a process starts: the CLI (which passes the path down) and the dashboard
    (whose one setting it is, passed by `pmo serve`). The floor, the pipeline and the gate take the path as an
    argument and have no fallback of their own."""
    readers = {name for name, path in MODULES.items() if "db_path()" in path.read_text(encoding="utf-8")}
    assert readers - {"contract.settings"} == {name for name in readers if name == "pipelines.cli"
                                              or name.startswith("dashboard.")}
    assert "pipelines.cli" in readers and "dashboard.db" in readers


def test_the_dashboard_server_never_loads_the_pack_renderers() -> None:
    """The review pack is written by a process of its own (`pmo report`): the pages, and the packages around what
    they import (Python runs a package's __init__ first), never load the PDF and PPTX renderers (0.085 s of the
    first page's cold start)."""
    reached: set[str] = set()
    todo = [name for name in MODULES if name == "dashboard.streamlit_app" or name.startswith("dashboard.app_pages.")]
    while todo:
        module = todo.pop()
        if module not in reached:
            reached.add(module)
            parents = [".".join(module.split(".")[:n]) for n in range(1, module.count(".") + 1)]
            todo += [*GRAPH[module], *(p for p in parents if p in MODULES)]
    assert {"dashboard.pack", "dashboard.pack.download", "dashboard.metrics.overview"} <= reached
    assert not reached & {"dashboard.pack.render", "dashboard.pack.write", "dashboard.pack.content"}
