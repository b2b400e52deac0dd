"""Artifacts: rows naming a URI or value, and files copied content-addressed into the root."""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from trialbook.errors import NotFoundError, StoreError, StoreFullError
from trialbook.store.core import entities
from trialbook.store.core.activity import component_event
from trialbook.store.core.records import ArtifactRecord, Direction
from trialbook.store.core.transaction import Transaction


def import_file(artifact_root: Path, file_path: Path) -> tuple[str, str, int]:
    """Copy a file to ``objects/<sha[:2]>/<sha>/<name>`` under the root (once per content);
    returns (relative path, sha256, size). A copy that fails (a full disk, a folder this user
    cannot write) leaves no temporary file and raises a StoreError naming the folder."""
    with open(file_path, "rb") as source:  # the caller words a missing source file
        try:
            return _copy_in(artifact_root, source, file_path.name)
        except OSError as error:
            raise _copy_failed(artifact_root, file_path, error) from None


def _copy_in(artifact_root: Path, source: BinaryIO, name: str) -> tuple[str, str, int]:
    objects = artifact_root / "objects"
    objects.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    target = tempfile.NamedTemporaryFile(  # noqa: SIM115 (closed below; renamed or removed)
        dir=objects, prefix=".incoming-", delete=False
    )
    try:
        with target:
            while chunk := source.read(1 << 20):
                digest.update(chunk)
                target.write(chunk)
                size += len(chunk)
        sha256 = digest.hexdigest()
        relative = Path("objects") / sha256[:2] / sha256 / name
        final = artifact_root / relative
        final.parent.mkdir(parents=True, exist_ok=True)
        if not final.exists():
            os.replace(target.name, final)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(target.name)  # a duplicate, or a partial copy: never left behind
    return relative.as_posix(), sha256, size


def _copy_failed(artifact_root: Path, file_path: Path, error: OSError) -> StoreError:
    detail = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return StoreFullError(
            f"The disk holding the artifact folder {artifact_root} is full ({detail}): "
            f"{file_path} was not copied and nothing was recorded. Free some space (see "
            f"`df -h {artifact_root}`) and log it again, or set TRIALBOOK_ARTIFACT_ROOT to a "
            "folder on another disk."
        )
    return StoreError(
        f"Cannot copy {file_path} into the artifact folder {artifact_root} ({detail}); "
        "nothing was recorded. Make that folder writable by this user, or set "
        "TRIALBOOK_ARTIFACT_ROOT to a writable folder."
    )


def remove_files(artifact_root: Path, relative_paths: Iterable[str]) -> None:
    """Delete copied files (never outside the root) and their emptied folders."""
    root = artifact_root.resolve()
    for relative in relative_paths:
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            continue
        with contextlib.suppress(OSError):
            target.unlink()
            target.parent.rmdir()  # content-addressed folder: empty once its file is gone


def put(
    tx: Transaction,
    component_name: str,
    *,
    direction: Direction,
    name: str,
    value: str,
    media_type: str | None,
    sha256: str | None,
    size: int | None,
    path: str | None,
) -> tuple[ArtifactRecord, str | None]:
    """Record an artifact (the same direction and name overwrites); with the path of the file
    it replaced, if any."""
    component_id = entities.entity_id(tx, "components", component_name)
    old = tx.scalar(
        "SELECT path FROM artifacts WHERE component_id = ? AND direction = ? AND name = ?",
        (component_id, direction, name),
    )
    artifact_id = tx.scalar(
        "INSERT INTO artifacts (component_id, direction, name, value, media_type, sha256,"
        " size, path, creation_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (component_id, direction, name) DO UPDATE SET value = excluded.value,"
        " media_type = excluded.media_type, sha256 = excluded.sha256, size = excluded.size,"
        " path = excluded.path, creation_time = excluded.creation_time RETURNING id",
        (component_id, direction, name, value, media_type, sha256, size, path, tx.now),
    )
    component_event(
        tx,
        component_id,
        component_name,
        "artifact.logged",
        {"direction": direction, "name": name, "id": artifact_id},
    )
    record = ArtifactRecord(
        artifact_id, component_name, direction, name, value, media_type, sha256, size, path, tx.now
    )
    return record, old


def get(tx: Transaction, artifact_id: int) -> ArtifactRecord:
    row = tx.execute(
        "SELECT a.id, c.name, a.direction, a.name, a.value, a.media_type, a.sha256, a.size,"
        " a.path, a.creation_time FROM artifacts a JOIN components c ON c.id = a.component_id"
        " WHERE a.id = ?",
        (artifact_id,),
    ).fetchone()
    if row is None:
        raise NotFoundError(f"No artifact with id {artifact_id!r} in the store.")
    return ArtifactRecord(*row)
