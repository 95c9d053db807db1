"""The event catalogue's table of modules, and kinds imported only when looked up."""

from __future__ import annotations

import subprocess
import sys

from domain.events import EVENT_TYPES
from domain.events.catalogue import KIND_MODULES


def test_the_table_names_every_kind_its_module_in_the_catalogue_order() -> None:
    listed = {kind: cls.__module__ for kind, cls in EVENT_TYPES.items()}
    catalogue = {kind: module for kind, module in listed.items() if kind in KIND_MODULES}
    assert catalogue == KIND_MODULES
    assert list(catalogue) == list(KIND_MODULES)
    # every class an event module declares is in the table (a test's own classes are not)
    declared = {k for k, m in listed.items() if m.startswith("domain.events.")}
    assert declared == set(KIND_MODULES)


def _modules_after(code: str) -> list[str]:
    script = (
        "import sys\n"
        f"{code}\n"
        "print(sorted(m for m in sys.modules if m.startswith('domain.events.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return eval(out.splitlines()[-1])  # noqa: S307  (a list of names printed above)


def test_looking_up_a_kind_imports_its_module_only() -> None:
    found = _modules_after(
        "from domain.events import EVENT_TYPES\n"
        "assert EVENT_TYPES['child_visited'].__name__ == 'ChildVisited'\n"
        "assert 'entry_corrected' in EVENT_TYPES and 'no_such_kind' not in EVENT_TYPES\n"
        "assert EVENT_TYPES.get('no_such_kind') is None"
    )
    assert found == [
        "domain.events.base",
        "domain.events.catalogue",
        "domain.events.corrections",
        "domain.events.direct_work",
    ]


def test_listing_the_catalogue_imports_every_kind() -> None:
    found = _modules_after("from domain.events import EVENT_TYPES\nassert len(EVENT_TYPES) >= 90")
    assert set(KIND_MODULES.values()) <= set(found)


def test_a_kind_declared_twice_is_refused_before_its_module_is_imported() -> None:
    code = (
        "from domain.events.base import CaseEvent\n"
        "try:\n"
        "    class Visit(CaseEvent):\n"
        "        kind = 'child_visited'\n"
        "except TypeError as error:\n"
        "    print('refused:', error)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "refused: event kind 'child_visited' is declared twice" in out
