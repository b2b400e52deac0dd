"""The single place that decides where the store and its artifact files live."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

from trialbook.errors import ValidationError

STORE_VARIABLE = "TRIALBOOK_STORE"
ARTIFACT_ROOT_VARIABLE = "TRIALBOOK_ARTIFACT_ROOT"


@dataclass(frozen=True)
class StoreLocation:
    """Where a store is: ``kind`` "sqlite" (with ``path``) or "postgresql" (with ``url``)."""

    kind: str
    url: str
    path: Path | None
    artifact_root: Path

    def describe(self) -> str:
        return str(self.path) if self.path is not None else _redact(self.url)


def default_store_dir() -> Path:
    from jupyter_core.paths import jupyter_data_dir

    return Path(jupyter_data_dir()) / "trialbook"


def absolute_setting(raw: str) -> str:
    """A store setting with a relative path made absolute (against the working directory);
    URLs and absolute paths unchanged. Kernels run in the notebook's folder: anything
    exported to them must not depend on the working directory."""
    raw = raw.strip()
    if not raw or _absolute(raw):
        return raw  # (an absolute path: no filesystem call, once per store access)
    return str(Path(raw).expanduser().absolute())


def pin_environment() -> None:
    """Rewrite a relative ``$TRIALBOOK_STORE`` / ``$TRIALBOOK_ARTIFACT_ROOT`` as absolute,
    once, so a later ``os.chdir`` and every subprocess (a kernel, a worker) use the same
    store as this process did first."""
    _pinned(STORE_VARIABLE)
    _pinned(ARTIFACT_ROOT_VARIABLE)


def _pinned(variable: str) -> str:
    """The variable's value, stripped, made absolute in the environment if it was relative."""
    raw = os.environ.get(variable, "")
    if raw.strip():
        absolute = absolute_setting(raw)
        if absolute != raw:
            os.environ[variable] = absolute
        return absolute
    return ""


def resolve_store_location(location: str | None = None) -> StoreLocation:
    """Resolve ``location`` (or ``$TRIALBOOK_STORE``, or the Jupyter data dir default).

    Accepts a filesystem path, ``sqlite:///abs/path.db`` or ``postgresql://...``. Artifacts go
    to ``$TRIALBOOK_ARTIFACT_ROOT`` if set, else ``artifacts/`` beside the database file. A
    relative path in the environment is resolved once against the working directory of
    that moment and written back absolute (``pin_environment``).
    """
    store, override = _pinned(STORE_VARIABLE), _pinned(ARTIFACT_ROOT_VARIABLE)
    raw = location if location is not None else store
    if not raw:
        path = default_store_dir() / "trialbook.db"
        return _sqlite(path, override)
    relative = not _absolute(raw) or (override and not _absolute(override))
    return _resolve_given(raw, override, os.getcwd() if relative else "")


def _absolute(raw: str) -> bool:
    """Whether a setting resolves the same from any working directory (a URL, an absolute
    path)."""
    return "://" in raw or raw.startswith("sqlite:") or os.path.isabs(raw)


@functools.lru_cache(maxsize=64)
def _resolve_given(raw: str, override: str, cwd: str) -> StoreLocation:
    """A given location, resolved once per working directory when it is relative (``cwd``
    is then that directory, else empty): every ``open_store()`` resolves, and a sweep opens
    thousands of trackers."""
    if raw.startswith(("postgresql://", "postgres://", "postgresql+")):
        root = Path(override) if override else default_store_dir() / "artifacts"
        return StoreLocation("postgresql", raw, None, root.expanduser().absolute())
    if raw.startswith("sqlite:"):
        parsed = urlparse(raw)
        if not parsed.path or parsed.netloc not in ("", "localhost"):
            raise ValidationError(
                f"{STORE_VARIABLE}={raw!r} is not a valid SQLite URL; "
                "use sqlite:///absolute/path/trialbook.db or a plain path"
            )
        # sqlite:///abs/path and SQLAlchemy's sqlite:////abs/path both mean /abs/path
        return _sqlite(Path("/" + unquote(parsed.path).lstrip("/")), override)
    if "://" in raw:
        raise ValidationError(
            f"{STORE_VARIABLE}={_redact(raw)!r}: unsupported store URL; use a path, "
            "sqlite:///path/to/trialbook.db or postgresql://user@host/db"
        )
    return _sqlite(Path(raw), override)


def _sqlite(path: Path, artifact_override: str) -> StoreLocation:
    path = path.expanduser().absolute()
    root = Path(artifact_override).expanduser().absolute() if artifact_override else None
    return StoreLocation("sqlite", f"sqlite://{path}", path, root or path.parent / "artifacts")


def _redact(url: str) -> str:
    """Hide a password in a URL before showing it."""
    parsed = urlparse(url)
    if parsed.password:
        return url.replace(f":{parsed.password}@", ":***@")
    return url
