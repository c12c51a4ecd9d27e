"""One definition per constant: a public module-level constant (an UPPER_CASE name) is
assigned in one module of ``service/podfit`` only; other modules import it, so two copies
cannot drift apart (the scheduler's 100m / 200Mi non-zero defaults and taint effects once
had their own).
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PACKAGE = Path(__file__).parent.parent / "service" / "podfit"


def _constants(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        if isinstance(node, ast.AnnAssign):
            targets = [node.target]
        names.extend(
            t.id
            for t in targets
            if isinstance(t, ast.Name) and t.id.isupper() and not t.id.startswith("_")
        )
    return names


#: Names allowed in more than one module: only cli/'s typing variables (P, R), which are
#: not constants. The list may only shrink.
KNOWN = {
    "P": ["cli/output.py", "cli/params.py"],
    "R": ["cli/output.py", "cli/params.py"],
}


def test_every_constant_is_defined_in_one_module() -> None:
    where: dict[str, list[str]] = defaultdict(list)
    for path in sorted(PACKAGE.rglob("*.py")):
        for name in _constants(ast.parse(path.read_text(encoding="utf-8"))):
            where[name].append(str(path.relative_to(PACKAGE)))
    duplicated = {name: paths for name, paths in where.items() if len(paths) > 1}
    assert {n: p for n, p in duplicated.items() if KNOWN.get(n) != p} == {}
