"""Artifacts: metadata, and file content confined to the artifact root and never run as
script on the Jupyter origin (attachment unless inert, nosniff, sandboxing CSP)."""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from urllib.parse import quote

import tornado.web

from ...errors import NotFoundError
from ...store import ArtifactRecord
from .. import payloads
from .base import INT64_MAX, BadParameter, TrialbookHandler

CHUNK_BYTES = 256 * 1024
_MEDIA_TYPE = re.compile(r"^[\w.+-]+/[\w.+-]+$")


def _artifact_id(raw: str) -> int:
    if not (raw.isascii() and raw.isdigit()) or int(raw) > INT64_MAX:
        raise BadParameter(
            "id", f"{raw[:40]!r} is not an artifact id (a positive integer up to {INT64_MAX})"
        )
    return int(raw)


class ArtifactHandler(TrialbookHandler):
    @tornado.web.authenticated
    async def get(self, raw_id: str) -> None:
        record = await self.read(self.store.get_artifact, _artifact_id(raw_id))
        self.write_json(payloads.artifact(record.to_dict()))


class ArtifactContentHandler(TrialbookHandler):
    @tornado.web.authenticated
    async def get(self, raw_id: str) -> None:
        record = await self.read(self.store.get_artifact, _artifact_id(raw_id))
        path = await self.read(self._file, record)
        media_type = _media_type(record, path)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Content-Security-Policy", "sandbox")
        self.set_header("Content-Type", media_type)
        self.set_header("Cache-Control", "private, no-cache")
        disposition = "inline" if payloads.is_inert(media_type) else "attachment"
        filename = Path(record.name).name or path.name
        self.set_header(
            "Content-Disposition",
            f"{disposition}; filename*=UTF-8''{quote(filename, safe='')}",
        )
        self.set_header("Content-Length", str(path.stat().st_size))
        with path.open("rb") as file:
            while True:
                chunk = await self.read(file.read, CHUNK_BYTES)
                if not chunk:
                    break
                self.write(chunk)
                await self.flush()
        self.finish()

    def _file(self, record: ArtifactRecord) -> Path:
        """The artifact's file if it is a regular file inside the artifact root."""
        path = self.store.artifact_file(record)
        if path is None:
            raise NotFoundError(
                f"Artifact {record.id} ({record.name!r}) has no file in the artifact store; "
                f"its value is {record.value!r}."
            )
        root = self.store.artifact_root.resolve()
        real = path.resolve()
        if not real.is_relative_to(root) or not real.is_file():
            raise NotFoundError(f"The file of artifact {record.id} ({record.name!r}) is missing.")
        return real


def _media_type(record: ArtifactRecord, path: Path) -> str:
    declared = (record.media_type or "").split(";", 1)[0].strip().lower()
    if _MEDIA_TYPE.match(declared):
        return declared
    guessed = mimetypes.guess_type(record.name)[0] or mimetypes.guess_type(path.name)[0]
    return guessed or "application/octet-stream"
