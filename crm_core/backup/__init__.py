"""Backups (备份): online copies of the database, several generations kept, verified, restorable.

* SQLite: the online backup API (never a file copy), ``PRAGMA integrity_check``
  and per-table row counts and checksums recorded in a manifest beside the copy.
* PostgreSQL: ``pg_dump -Fc`` from an exported snapshot, the checksums of that
  snapshot in the manifest, the server's roles (``pg_dumpall --globals-only``)
  when the login may read them; verified by restoring into a scratch database.
* Restore: a safety backup of the current state first, then the backup API
  (SQLite) or ``pg_restore --single-transaction`` (PostgreSQL).
* :class:`crm_core.backup.service.BackupService` (``session.backups``) records
  every run and makes the automatic daily backup.
"""

from crm_core.backup.files import KEEP_BACKUPS, BackupError, default_dir, prune
from crm_core.backup.operations import VerifyReport, backup_pattern, make_backup, restore_backup, verify_backup

__all__ = ["KEEP_BACKUPS", "BackupError", "VerifyReport", "backup_pattern", "default_dir", "make_backup", "prune",
           "restore_backup", "verify_backup"]
