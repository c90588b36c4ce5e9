"""Errors of backup and restore, with messages the CLI translates."""

from __future__ import annotations

from seci.core.errors import SeciError
from seci.core.i18n import N_


class BackupError(SeciError):
    code = "backup_error"
    status_code = 400
    message = N_("The backup could not be made or restored.")


class UnsupportedDatabase(BackupError):
    code = "backup_unsupported_database"
    message = N_("Backup and restore support SQLite files and PostgreSQL, not {url}.")


class ToolMissing(BackupError):
    code = "backup_tool_missing"
    message = N_("{tool} was not found: install the PostgreSQL client programs "
                 "(e.g. apt-get install postgresql-client) of the server's major version "
                 "or newer, or put them on PATH.")


class ToolFailed(BackupError):
    code = "backup_tool_failed"
    message = N_("{tool} failed: {detail}")


class NotABackup(BackupError):
    code = "backup_invalid"
    message = N_("{path} is not a SECI backup (no readable manifest.json): {detail}")


class UnsupportedBackupFormat(BackupError):
    code = "backup_format_unsupported"
    message = N_("The backup's format {found} is not one this SECI reads (it reads {expected}).")


class DatabaseKindMismatch(BackupError):
    code = "backup_database_mismatch"
    message = N_("The backup holds a {found} database but the target is {expected}; "
                 "restore into the same kind of database.")


class BackupFromNewerSchema(BackupError):
    code = "backup_newer_schema"
    message = N_("The backup was made at migration {revision}, which this SECI does not know "
                 "(its newest is {head}): install the SECI version that made it, or a newer "
                 "one, before restoring.")


class DatabaseNotEmpty(BackupError):
    code = "backup_target_not_empty"
    status_code = 409
    message = N_("The target database already holds tables ({url}); restore with --force "
                 "to replace its contents.")


class DatabaseUnreachable(BackupError):
    code = "backup_database_unreachable"
    status_code = 503
    message = N_("The database cannot be reached ({url}): {detail}")
