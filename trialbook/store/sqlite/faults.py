"""What went wrong with a SQLite store file, said plainly: the engine's errors about the file,
its folder or its disk become StoreErrors that name the file and what to do."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

from trialbook.errors import StoreError, StoreFullError, StoreReadOnlyError

_FULL = "database or disk is full"


def full(path: Path, detail: str) -> StoreFullError:
    return StoreFullError(
        f"The disk holding the Trialbook store {path} is full ({detail}). Nothing is lost: "
        "buffered metric points are kept and written again once there is space. Free some "
        f"space on that disk (see `df -h {path.parent}`), or set TRIALBOOK_STORE to a path on "
        "another disk."
    )


def read_only(path: Path, why: str) -> StoreReadOnlyError:
    return StoreReadOnlyError(
        f"The Trialbook store {path} is read-only for this process ({why}): it can be read, "
        "but nothing can be written to it. Make the file and its folder writable by this "
        f"user (e.g. `chmod u+w {path} {path.parent}`), or set TRIALBOOK_STORE to a writable "
        "path."
    )


def not_a_store(path: Path, detail: str) -> StoreError:
    return StoreError(
        f"The file {path} is not a Trialbook store ({detail}). Set TRIALBOOK_STORE to another "
        "path, or move this file away to start a new store there. If it was a Trialbook store "
        f"that got damaged, `sqlite3 {path} .recover` may save its data."
    )


def foreign(path: Path, tables: list[str]) -> StoreError:
    shown = ", ".join(tables[:5]) + (", …" if len(tables) > 5 else "")
    return StoreError(
        f"The file {path} is not a Trialbook store: it is a SQLite database of another "
        f"program (tables {shown}), left untouched. Set TRIALBOOK_STORE to another path."
    )


def cannot_create(path: Path, error: OSError) -> StoreError:
    if isinstance(error, FileExistsError | NotADirectoryError) or error.errno == errno.ENOTDIR:
        blocking = next((p for p in [path.parent, *path.parent.parents] if p.is_file()), None)
        reason = f"{blocking or path.parent} is a file, not a folder"
    elif error.errno in (errno.ENOSPC, errno.EDQUOT):
        return full(path, error.strerror or "no space left")
    else:
        reason = f"{error.strerror or error} ({error.filename or path.parent})"
    return StoreError(
        f"Cannot create the Trialbook store {path}: {reason}. Set TRIALBOOK_STORE to a path "
        "in a folder this user can write, e.g. TRIALBOOK_STORE=~/trialbook/trialbook.db."
    )


def translate(path: Path, error: Exception, *, read_only_reason: str | None) -> Exception | None:
    """The StoreError to raise for a SQLite error about the store file, or None."""
    if not isinstance(error, sqlite3.DatabaseError):
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            return full(path, error.strerror or "no space left")
        return None
    code = getattr(error, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    message = str(error)
    if primary == sqlite3.SQLITE_FULL or _FULL in message:
        return full(path, message)
    if primary == sqlite3.SQLITE_READONLY or "readonly database" in message:
        return read_only(path, read_only_reason or message)
    if primary in (sqlite3.SQLITE_NOTADB, sqlite3.SQLITE_CORRUPT) or "not a database" in message:
        return not_a_store(path, message)
    if primary == sqlite3.SQLITE_CANTOPEN or "unable to open database" in message:
        return StoreError(
            f"Cannot open the Trialbook store {path} ({message}): check that its folder exists "
            "and that this user may read it (and write it, to log), or set TRIALBOOK_STORE to "
            "another path."
        )
    if primary == sqlite3.SQLITE_IOERR or "disk I/O error" in message:
        return StoreError(
            f"The disk holding the Trialbook store {path} failed to read or write ({message}). "
            "Buffered metric points are kept and written again; check the disk (space, quota "
            f"and health: `df -h {path.parent}`)."
        )
    return None
