"""The design card's layers, checked on the source: who may import whom.

`domain/` is pure; `policies/` depend on the domain only; `projections/` are folds over the
domain (and the policies' calendar and packs); product code never imports `scripts/`.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

FORBIDDEN = {
    "domain": {"policies", "projections", "adapters", "scripts"},
    "policies": {"projections", "adapters", "scripts"},
    "projections": {"adapters", "scripts"},
    "adapters": {"scripts"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_nothing_above_it(layer: str) -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((ROOT / layer).rglob("*.py"))
        for name in sorted(_imports(path) & FORBIDDEN[layer])
    ]
    assert offences == []
