"""What every command needs: the config, the database, and how to print safely."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

import click

from scanner.config import Config, load_config

if TYPE_CHECKING:
    from scanner.store import Store


@dataclass
class App:
    """Global options, resolved lazily: a command that needs no config reads none."""

    config_path: Path | None = None
    db_override: Path | None = None
    verbose: int = 0
    debug: bool = False
    _stores: list[Store] = field(default_factory=list)

    @cached_property
    def config(self) -> Config:
        return load_config(self.config_path)

    @property
    def db_path(self) -> Path:
        return self.db_override or self.config.db

    def store(self) -> Store:
        """Open (and migrate) the database; closed when the command ends."""
        from scanner.store import Store

        store = Store(self.db_path)
        click.get_current_context().call_on_close(store.close)
        return store


pass_app = click.make_pass_decorator(App)
