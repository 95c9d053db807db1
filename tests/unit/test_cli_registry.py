"""The start-up registry of CLI commands says what the command modules define."""

from __future__ import annotations

import inspect
import subprocess
import sys

import typer.main

from adapters.cli.main import app
from adapters.cli.registry import COMMANDS


def _first_paragraph(command: object) -> str:
    text = getattr(command, "short_help", None) or getattr(command, "help", None) or ""
    return inspect.cleandoc(text).split("\n\n")[0]


def test_the_registry_names_every_command_its_module_and_its_help() -> None:
    root = typer.main.get_command(app)
    defined = dict(root.commands.items())  # iterating loads every command module
    assert list(defined) == list(COMMANDS)
    for name, command in defined.items():
        modules, help_text = COMMANDS[name]
        assert _first_paragraph(command) == help_text, name
        callbacks = (
            [c.callback for c in command.commands.values()]  # type: ignore[attr-defined]
            if hasattr(command, "commands")
            else [command.callback]
        )
        assert {c.__module__ for c in callbacks if c} == set(modules), name


def test_help_imports_no_command_module_nor_the_store() -> None:
    code = (
        "import sys\n"
        "from adapters.cli.main import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('adapters.', 'sqlalchemy', "
        "'pydantic', 'structlog', 'argon2'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()[-1]
    assert out == str(
        [
            "adapters.cli",
            "adapters.cli.app",
            "adapters.cli.identity",
            "adapters.cli.lazy_group",
            "adapters.cli.main",
            "adapters.cli.registry",
        ]
    )


def test_a_command_imports_only_its_own_module() -> None:
    code = (
        "import sys\n"
        "from adapters.cli.main import app\n"
        "try:\n    app(['events', '--help'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('adapters.cli.')))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.splitlines()[-1]
    assert "adapters.cli.records" in out
    assert "adapters.cli.deadlines" not in out and "adapters.cli.chronology" not in out
