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


FILE_CALLS = {"open", "read_text", "read_bytes", "write_text", "write_bytes"}
"""Reading or writing a file: an adapter's work (adapters/packs.py, adapters/access_policy.py)."""


def _file_calls(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name in FILE_CALLS:
            found.append(f"{path.relative_to(ROOT)}:{node.lineno} {name}()")
    return found


@pytest.mark.parametrize("layer", ["domain", "policies", "projections"])
def test_a_pure_layer_touches_no_file(layer: str) -> None:
    found = [call for path in sorted((ROOT / layer).rglob("*.py")) for call in _file_calls(path)]
    assert found == [], f"{layer}/ reads or writes files (move it to an adapter): {found}"
