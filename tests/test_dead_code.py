"""No dead code in the package: every module-level function, class and constant of
``service/podfit`` is referred to somewhere other than its own definition (in the package
or, for the library API, in the tests).

Decorated functions (routes, click commands) are reached through their decorator and
dunders through Python, so neither needs a reference.
"""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).parent.parent
PACKAGE = ROOT / "service" / "podfit"


def _definitions(tree: ast.Module) -> list[str]:
    names: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            if not node.decorator_list:
                names.append(node.name)
        elif isinstance(node, ast.Assign):
            names.extend(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.append(node.target.id)
    return [n for n in names if not (n.startswith("__") and n.endswith("__"))]


def test_every_module_level_definition_is_used() -> None:
    sources = {path: path.read_text(encoding="utf-8") for path in sorted(PACKAGE.rglob("*.py"))}
    corpus = "\n".join(
        [*sources.values(), *(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("*.py"))]
    )
    words = Counter(re.findall(r"\w+", corpus))
    unused = [
        f"{path.relative_to(ROOT)}: {name}"
        for path, text in sources.items()
        for name in _definitions(ast.parse(text))
        if words[name] <= 1
    ]
    assert unused == []
