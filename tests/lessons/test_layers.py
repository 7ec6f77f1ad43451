"""The layers of lessons/ (docs/ARCHITECTURE.md): clip_core <- lessons/common <- each lesson <- the page.

Every module under lessons/ is read with `ast` (nothing is imported to find its imports, so an
import tucked inside a function counts as much as one at the top), and the graph of imports
between them must have:

(a) no cycle between modules;
(b) no lesson package importing another lesson package (lessons.LESSONS and lessons.BEYOND, with
    their submodules);
(c) nothing in lessons/common importing a lesson, the registry or lessons/page;
(d) no lesson importing lessons/page or the registry;
(e) no name that starts with `_` imported from another package.

The self-tests at the end run the same checks on small made-up graphs, so each check is known to fail.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REGISTRY = "lessons"
COMMON = "lessons.common"
PAGE = "lessons.page"


@dataclass(frozen=True)
class Import:
    """One imported module (and the names taken from it) at a line of the importing module."""

    target: str  # dotted module name, resolved (relative imports made absolute)
    names: tuple[str, ...]  # names taken with `from target import ...` (empty for `import target`)
    line: int


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def resolve(importer: str, is_package: bool, module: str | None, level: int) -> str:
    """The absolute name of `from <level dots><module> import ...` written in module `importer`."""
    if level == 0:
        return module or ""
    package = importer if is_package else importer.rpartition(".")[0]
    parts = package.split(".")
    if level - 1 > len(parts) - 1:
        raise ValueError(f"{importer}: relative import beyond the top-level package")
    base = parts[: len(parts) - (level - 1)]
    return ".".join(base + ([module] if module else []))


def imports_of(source: str, importer: str, is_package: bool, modules: set[str]) -> list[Import]:
    """Every import statement in `source`, at any depth, resolved against the known `modules`:
    `from package import submodule` is an import of the submodule."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = resolve(importer, is_package, node.module, node.level)
            from_base = []
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in modules:
                    found.append(Import(submodule, (), node.lineno))
                else:
                    from_base.append(alias.name)
            if from_base:
                found.append(Import(base, tuple(from_base), node.lineno))
    return found


def read_tree(root: Path = ROOT) -> tuple[dict[str, list[Import]], dict[str, bool]]:
    """({module: its imports}, {module: is a package}) for every .py file under root/lessons."""
    paths = sorted((root / "lessons").rglob("*.py"))
    packages = {module_name(p, root): p.name == "__init__.py" for p in paths}
    graph = {name: imports_of(path.read_text(encoding="utf-8"), name, packages[name], set(packages))
             for name, path in zip(packages, paths, strict=True)}
    return graph, packages


def package_of(module: str, packages: dict[str, bool]) -> str:
    return module if packages.get(module) else module.rpartition(".")[0]


def within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def owner(module: str, lesson_packages: list[str]) -> str | None:
    """The lesson package a module belongs to, if any."""
    return next((lesson for lesson in lesson_packages if within(module, lesson)), None)


def find_cycles(graph: dict[str, list[Import]]) -> list[list[str]]:
    """One cycle (a, b, ..., a) through each strongly connected group of modules (Tarjan), internal edges only."""
    edges = {m: sorted({i.target for i in imports if i.target in graph}) for m, imports in graph.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:  # recursion depth is bounded by the ~100 modules of lessons/
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for target in edges[module]:
            if target not in index:
                visit(target)
                low[module] = min(low[module], low[target])
            elif target in on_stack:
                low[module] = min(low[module], index[target])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1 or module in edges[module]:
                groups.append(sorted(group))

    for module in sorted(edges):
        if module not in index:
            visit(module)
    return [cycle_through(group, edges) for group in groups]


def cycle_through(group: list[str], edges: dict[str, list[str]]) -> list[str]:
    """A shortest cycle from the group's first module back to itself, staying inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for module in frontier:
            for target in edges[module]:
                if target == start:
                    return paths[module] + [start]
                if target in members and target not in paths:
                    paths[target] = paths[module] + [target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {group}")  # a strongly connected group always has one


def layer_violations(graph: dict[str, list[Import]], packages: dict[str, bool],
                     lesson_packages: list[str]) -> list[str]:
    """Checks (b) to (e): one line per offending import, 'module:line imports target (why)'."""
    found = []
    for module, imports in sorted(graph.items()):
        mine = owner(module, lesson_packages)
        for imported in imports:
            target = imported.target
            where = f"{module}:{imported.line} imports {target}"
            theirs = owner(target, lesson_packages)
            if mine and theirs and theirs != mine:
                found.append(f"{where} (a lesson importing another lesson)")
            if within(module, COMMON) and (theirs or target == REGISTRY or within(target, PAGE)):
                found.append(f"{where} (lessons/common must not import a lesson, the registry or the page)")
            if mine and (target == REGISTRY or within(target, PAGE)):
                found.append(f"{where} (a lesson must not import the page or the registry)")
            private = [name for name in (*target.split("."), *imported.names)
                       if name.startswith("_") and not name.startswith("__")]
            own_package = package_of(module, packages)
            if private and package_of(target, packages) != own_package and target != own_package:
                found.append(f"{where} (private name(s) {', '.join(private)} from another package)")
    return found


def lesson_package_names() -> list[str]:
    import lessons

    return [lesson.__name__ for lesson in [*lessons.LESSONS, *lessons.BEYOND]]


@pytest.fixture(scope="module")
def tree() -> tuple[dict[str, list[Import]], dict[str, bool]]:
    return read_tree()


def test_the_walk_sees_every_lesson_and_its_imports(tree):
    graph, packages = tree
    lessons_found = lesson_package_names()
    assert len(lessons_found) == 17 and all(packages.get(name) for name in lessons_found)
    # a relative import and an import inside a function are both seen
    zeroshot = {i.target for i in graph["lessons.zeroshot"]}
    assert {"lessons.zeroshot.figures", "lessons.zeroshot.inputs", "lessons.common.classes"} <= zeroshot
    assert any(i.target == "lessons.common.session" for i in graph["lessons.common.ui"])  # inside keep_session


def test_no_import_cycle_between_modules(tree):
    graph, _ = tree
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def test_every_import_respects_the_layers(tree):
    graph, packages = tree
    found = layer_violations(graph, packages, lesson_package_names())
    assert not found, "\n".join(found)


# ----- the checks themselves, on made-up graphs ---------------------------------------------------


FAKE_PACKAGES = {"lessons": True, "lessons.common": True, "lessons.common.ui": False, "lessons.common.quiz": False,
                 "lessons.page": True, "lessons.page.strings": False, "lessons.a": True, "lessons.a.figures": False,
                 "lessons.b": True, "lessons.b.quiz": False}
FAKE_LESSONS = ["lessons.a", "lessons.b"]


def fake_graph(**edges: list[tuple[str, tuple[str, ...]]]) -> dict[str, list[Import]]:
    """A graph of FAKE_PACKAGES whose module `x__y` (for x.y) imports the given (target, names)."""
    graph: dict[str, list[Import]] = {name: [] for name in FAKE_PACKAGES}
    for key, targets in edges.items():
        graph[key.replace("__", ".")] = [Import(target, names, 1) for target, names in targets]
    return graph


def test_relative_imports_resolve_like_python():
    modules = set(FAKE_PACKAGES)
    source = ("from . import figures\nfrom .figures import draw\nfrom .. import common\n"
              "from ..common.ui import check\n\ndef late():\n    from lessons.b import quiz\n    import numpy\n")
    found = {(i.target, i.names) for i in imports_of(source, "lessons.a", True, modules)}
    assert found == {("lessons.a.figures", ()), ("lessons.a.figures", ("draw",)), ("lessons.common", ()),
                     ("lessons.common.ui", ("check",)), ("lessons.b.quiz", ()), ("numpy", ())}
    from_submodule = imports_of("from .figures import draw\nfrom .. import b", "lessons.a.figures", False, modules)
    assert [(i.target, i.names) for i in from_submodule] == [("lessons.a.figures", ("draw",)), ("lessons.b", ())]
    with pytest.raises(ValueError):
        resolve("lessons.a", True, None, 3)


def test_a_clean_graph_passes():
    graph = fake_graph(lessons=[("lessons.a", ()), ("lessons.b", ())],
                       lessons__a=[("lessons.a.figures", ("draw", "_own")),  # a package's own private name
                                   ("lessons.common.ui", ("check",))],
                       lessons__a__figures=[("numpy", ())],
                       lessons__b=[("lessons.common.quiz", ("Question",)), ("numpy", ())],
                       lessons__page__strings=[("lessons", ("ALL_LESSONS",)), ("lessons.a", ("STRINGS",))])
    assert find_cycles(graph) == []
    assert layer_violations(graph, FAKE_PACKAGES, FAKE_LESSONS) == []


def test_cycles_are_found_and_reported_in_order():
    graph = fake_graph(lessons__common__quiz=[("lessons.a", ("measure",))],
                       lessons__a=[("lessons.a.figures", ())],
                       lessons__a__figures=[("lessons.common.quiz", ("Question",))],
                       lessons__b__quiz=[("lessons.b.quiz", ())])  # a module importing itself
    cycles = find_cycles(graph)
    assert ["lessons.a", "lessons.a.figures", "lessons.common.quiz", "lessons.a"] in cycles
    assert ["lessons.b.quiz", "lessons.b.quiz"] in cycles and len(cycles) == 2


@pytest.mark.parametrize(("edges", "why"), [
    (dict(lessons__a__figures=[("lessons.b.quiz", ())]), "a lesson importing another lesson"),
    (dict(lessons__a=[("lessons.b", ("STRINGS",))]), "a lesson importing another lesson"),
    (dict(lessons__common__quiz=[("lessons.a", ())]), "lessons/common must not import a lesson"),
    (dict(lessons__common__ui=[("lessons", ("ALL_LESSONS",))]), "lessons/common must not import a lesson"),
    (dict(lessons__common__ui=[("lessons.page.strings", ("tr",))]), "lessons/common must not import a lesson"),
    (dict(lessons__a=[("lessons.page.strings", ("tr",))]), "a lesson must not import the page"),
    (dict(lessons__b__quiz=[("lessons", ("LESSONS",))]), "a lesson must not import the page"),
    (dict(lessons__a=[("lessons.common.quiz", ("Question", "_check"))]), "private name(s) _check from another"),
    (dict(lessons__page__strings=[("lessons.a.figures", ("_draw",))]), "private name(s) _draw from another"),
    (dict(lessons__common__ui=[("clip_core.data", ("_render",))]), "private name(s) _render from another"),
    (dict(lessons__a=[("clip_core._internal", ("helper",))]), "private name(s) _internal from another"),
])
def test_each_layer_rule_fails_when_broken(edges, why):
    found = layer_violations(fake_graph(**edges), FAKE_PACKAGES, FAKE_LESSONS)
    assert len(found) >= 1 and all(why in line for line in found), found
    module, target = next(iter(edges)).replace("__", "."), next(iter(edges.values()))[0][0]
    assert found[0].startswith(f"{module}:1 imports {target}")
