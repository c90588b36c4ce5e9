"""``seci backup`` and ``seci restore``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from seci.core.config import get_settings
from seci.core.i18n import gettext
from seci.core.messages import describe_error
from seci.ops.errors import BackupError

console = Console(soft_wrap=True, highlight=False)
errors = Console(stderr=True, soft_wrap=True, highlight=False)


def backup(
    target: Annotated[Path, typer.Argument(
        help="Archive to write (….tar.gz), or a directory to put a dated seci-backup-….tar.gz in")
    ] = Path(),
) -> None:
    """Back up the database and the data directory into one tar.gz (safe while SECI runs)."""
    from seci.ops.backup import create_backup

    settings = get_settings()
    try:
        path, manifest = create_backup(url=settings.sqlalchemy_url, data_dir=settings.data_dir,
                                       target=target)
    except BackupError as error:
        errors.print(describe_error(error), markup=False)
        raise typer.Exit(1) from None
    console.print(gettext(
        "Backup written: {path} ({size} MB; {database} database at migration {revision}, "
        "{files} files of the data directory).",
        path=str(path), size=f"{path.stat().st_size / 1e6:.1f}", database=manifest.database,
        revision=manifest.migration_head or "-", files=manifest.data_files), markup=False)


def restore(
    archive: Annotated[Path, typer.Argument(help="A file written by `seci backup`",
                                            exists=True, dir_okay=False)],
    force: Annotated[bool, typer.Option(
        "--force", help="Replace the contents of a database that already holds tables")] = False,
) -> None:
    """Restore a backup into SECI_DATABASE_URL and SECI_DATA_DIR (stop the server and the
    workers first)."""
    from seci.ops.backup import restore_backup

    settings = get_settings()
    try:
        result = restore_backup(archive=archive, url=settings.sqlalchemy_url,
                                data_dir=settings.data_dir, force=force)
    except BackupError as error:
        errors.print(describe_error(error), markup=False)
        raise typer.Exit(1) from None
    manifest = result.manifest
    console.print(gettext(
        "Restored the backup of {created} (SECI {version}, migration {revision}).",
        created=manifest.created_at, version=manifest.seci_version,
        revision=manifest.migration_head or "-"), markup=False)
    if result.needs_upgrade:
        console.print(gettext(
            "The backup comes from an older schema: run `seci db upgrade` before starting "
            "SECI."), markup=False)
