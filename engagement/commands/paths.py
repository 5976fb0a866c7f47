"""--out options: a file the command can write, checked before any work is done (or audited)."""

from __future__ import annotations

from pathlib import Path

import click

from engagement.reports.files import ExportError, check_writable


def file_to_write(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path | None:
    """Click callback: a folder that does not exist or cannot be written gets the plain sentence, not a
    traceback after the work (a subject access already logged, a template half made)."""
    if value is not None:
        try:
            check_writable(value)
        except ExportError as exc:
            raise click.ClickException(str(exc)) from None
    return value
