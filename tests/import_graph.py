"""Who imports whom among our packages, read from the source with `ast` (nothing is executed).

The layering rules (domain at the bottom, storage on domain only, no cycles) are checked by
tests/unit/test_import_layers.py on this graph. Every import counts: function-local ones and
those under `TYPE_CHECKING` too, since each still ties one module's meaning to another's.
`python -m tests.import_graph` prints the package import matrix quoted in the issue notes.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("domain", "core", "storage", "jobs", "bot", "cli")


@dataclass(frozen=True)
class Import:
    """One import statement's target, as the importing module sees it."""

    source: str  # importing module, e.g. "storage.queries.papers"
    target: str  # our module it names, e.g. "domain.types"
    line: int

    @property
    def source_package(self) -> str:
        return self.source.split(".")[0]

    @property
    def target_package(self) -> str:
        return self.target.split(".")[0]

    def __str__(self) -> str:
        path = self.source.replace(".", "/")
        return f"{path}.py:{self.line} imports {self.target}"


def module_files(packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Dotted module name → file, for every module under the given top-level packages."""
    modules = {}
    for package in packages:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            modules[".".join(parts)] = path
    return modules


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The longest known module that `name` starts with; None when it is not one of ours."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def _named(module: str, path: Path, modules: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """Every dotted name an import statement in `path` names, with its line."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                head = package[: len(package) - node.level + 1]
                base = ".".join([*head, base] if base else head)
            for alias in node.names:  # `from pkg import submodule` names the submodule
                sub = f"{base}.{alias.name}"
                yield (sub if sub in modules else base), node.lineno


def imports(packages: Iterable[str] = PACKAGES) -> list[Import]:
    """Every import of one of our modules made by a module of `packages`."""
    modules = module_files(packages)
    found = []
    for module, path in modules.items():
        for name, line in _named(module, path, modules):
            target = _resolve(name, modules)
            if target is not None and target != module:
                found.append(Import(module, target, line))
    return found


def package_matrix(found: Iterable[Import]) -> Counter[tuple[str, str]]:
    """(importing package, imported package) → number of import statements between them."""
    return Counter(
        (i.source_package, i.target_package) for i in found if i.source_package != i.target_package
    )


def format_matrix(matrix: Counter[tuple[str, str]], packages: Iterable[str] = PACKAGES) -> str:
    names = [p for p in packages if (ROOT / p).is_dir()]
    lines = ["from\\to  " + "".join(f"{p:>9}" for p in names)]
    for row in names:
        cells = "".join(f"{matrix[row, col] or '.'!s:>9}" for col in names)
        lines.append(f"{row:<9}{cells}")
    return "\n".join(lines)


def cycles(edges: Iterable[tuple[str, str]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan), each sorted."""
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


if __name__ == "__main__":
    print(format_matrix(package_matrix(imports())))
