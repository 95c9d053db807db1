"""The root command group, whose commands are imported only when one is run or inspected.

``caseledger --help`` renders its list from ``adapters/cli/registry.py`` without importing a
command module; ``caseledger NAME ...`` imports only the modules that define NAME. Anything
that walks every command (``group.commands.items()``, a test listing them all) loads them all.
"""

# Typer vendors its own click (typer._click); its types are Any here, as in identity.py.

from __future__ import annotations

import importlib
from collections.abc import Iterator, MutableMapping
from typing import Any

from typer.core import TyperCommand

from adapters.cli.identity import IdentityGroup
from adapters.cli.registry import COMMANDS, every_module, modules_of


def _import(modules: tuple[str, ...]) -> dict[str, Any]:
    """Import ``modules`` (each registers its commands on the app) and build their commands."""
    import typer.main

    from adapters.cli.app import app

    for module in modules:
        importlib.import_module(module)
    built = typer.main.get_group(app)
    return dict(built.commands.loaded if isinstance(built.commands, LazyCommands) else {})


class LazyCommands(MutableMapping[str, Any]):
    """The group's commands: a name is loaded on first lookup, all of them on iteration."""

    def __init__(self, loaded: MutableMapping[str, Any]) -> None:
        self.loaded: dict[str, Any] = dict(loaded)

    def _load(self, modules: tuple[str, ...]) -> None:
        for name, command in _import(modules).items():
            self.loaded.setdefault(name, command)

    def __getitem__(self, name: str) -> Any:
        if name not in self.loaded and name in COMMANDS:
            self._load(modules_of(name))
        return self.loaded[name]

    def __contains__(self, name: object) -> bool:
        return name in self.loaded or name in COMMANDS

    def load_all(self) -> None:
        if any(name not in self.loaded for name in COMMANDS):
            self._load(every_module())

    def __iter__(self) -> Iterator[str]:
        self.load_all()
        return iter(dict.fromkeys([*COMMANDS, *self.loaded]))

    def __len__(self) -> int:
        self.load_all()
        return len(set(COMMANDS) | set(self.loaded))

    def __setitem__(self, name: str, command: Any) -> None:
        self.loaded[name] = command

    def __delitem__(self, name: str) -> None:
        del self.loaded[name]


class CommandGroup(IdentityGroup):
    """``IdentityGroup`` whose commands load lazily; its help lists them from the registry."""

    def __init__(self, **attrs: Any) -> None:
        super().__init__(**attrs)
        self.commands = LazyCommands(self.commands)
        self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        commands = self.commands
        loaded = commands.loaded if isinstance(commands, LazyCommands) else commands
        return list(dict.fromkeys([*COMMANDS, *loaded]))

    def get_command(self, ctx: Any, cmd_name: str) -> Any | None:
        commands = self.commands
        if self._listing and isinstance(commands, LazyCommands) and cmd_name in COMMANDS:
            if cmd_name not in commands.loaded:
                return TyperCommand(cmd_name, help=COMMANDS[cmd_name][1])
        return commands.get(cmd_name)

    def format_help(self, ctx: Any, formatter: Any) -> None:
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False
