"""SQLite refuses network filesystems: its WAL mode needs shared memory and POSIX locks that
NFS, SMB and FUSE mounts do not provide, and concurrent writers would corrupt the file."""

from __future__ import annotations

from pathlib import Path

from trialbook.errors import TrialbookError

NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "9p",
        "fuse.sshfs",
        "sshfs",
        "afs",
        "ncpfs",
        "glusterfs",
        "fuse.glusterfs",
        "lustre",
        "ceph",
        "fuse.s3fs",
        "fuse.gcsfuse",
        "fuse.rclone",
        "davfs",
        "fuse.davfs",
    }
)


def filesystem_type(path: Path) -> str | None:
    """The fstype of the mount holding ``path`` according to /proc/mounts (Linux only)."""
    try:
        with open("/proc/mounts", encoding="utf-8") as mounts:
            entries = [line.split() for line in mounts]
    except OSError:
        return None
    target = str(path.resolve())
    best: tuple[int, str] | None = None
    for entry in entries:
        if len(entry) < 3:
            continue
        mount_point = entry[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and (best is None or len(mount_point) > best[0]):
            best = (len(mount_point), entry[2])
    return best[1] if best else None


def check_local_filesystem(directory: Path) -> None:
    """TrialbookError if ``directory`` is on a network filesystem."""
    fstype = filesystem_type(directory)
    if fstype in NETWORK_FILESYSTEMS:
        raise TrialbookError(
            f"The Trialbook store directory {directory} is on a network filesystem ({fstype}). "
            "SQLite's WAL mode is not safe there and concurrent writers would corrupt it. "
            "Point TRIALBOOK_STORE at a path on a local disk, or at a PostgreSQL database "
            "(TRIALBOOK_STORE=postgresql://user@host/db) for a store shared between machines."
        )
