"""Dependencies point one way, and every command explains itself."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest

from crawler.cli import cli


def test_cleaners_store_and_sandbox_do_not_import_scrapy() -> None:
    code = (
        "import cleaners, cleaners.extract, store, store.archive, sandbox, sandbox.server, crawler.workers, sys;"
        "bad = [m for m in ('scrapy', 'twisted') if m in sys.modules];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def _commands(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in group.commands.items():
        out.append((prefix + name, cmd))
        if isinstance(cmd, click.Group):
            out.extend(_commands(cmd, prefix + name + " "))
    return out


@pytest.mark.parametrize(("name", "command"), _commands(cli), ids=lambda v: v if isinstance(v, str) else "")
def test_every_command_has_help_with_an_example(name: str, command: click.Command) -> None:
    if isinstance(command, click.Group):
        assert command.help, f"{name} has no help"
        return
    assert command.help and "Example:" in command.help, f"`govnews {name} --help` needs an Example"
