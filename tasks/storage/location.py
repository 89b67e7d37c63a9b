"""A folder or file that is local or on S3, as a pyarrow filesystem plus a path, and as Spark addresses it.

URIs: `s3://bucket/prefix` (`s3a://` is accepted and normalised to `s3://`), `file:///abs/path` or a plain
path. S3 uses the settings' endpoint, keys and region (`SICOOP_S3_*`; with none set, AWS S3 and the default
credential chain), the same ones `tasks.spark_session` gives Spark's S3A. Spark always gets `s3a://` paths
(`spark_path`): one scheme per location, so Delta's per-path commit lock covers every writer in the process.

On S3 a folder is a key prefix: an object write is atomic (readers see the old object or the new one, never a
part), a folder move is a server-side copy of each object and then a delete (not atomic: a crash in between
leaves both copies, and repeating the move's copy is harmless).
"""

from __future__ import annotations

import os
import uuid
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import pyarrow.fs as pafs

from tasks.secrets import s3_keys
from tasks.settings import Settings, get_settings

S3_SCHEMES = ("s3://", "s3a://")
FILE_SCHEME = "file://"
_COPY_CHUNK = 8 * 1024 * 1024


def _join(uri: str, *parts: str) -> str:
    """Append path segments to a URI or path with "/" (extra slashes stripped, nothing else normalised)."""
    segments = [part.strip("/") for part in parts if part.strip("/")]
    base = uri.rstrip("/")
    return "/".join([base, *segments]) if base else "/" + "/".join(segments)


@dataclass(frozen=True)
class Location:
    """`path` is within `filesystem` ("bucket/key/prefix" on S3, an absolute path locally); `uri` is the
    canonical address ("s3://bucket/key/prefix" or the absolute path). Pickles as its URI only (the S3
    filesystem would carry the keys); unpickling resolves it again with the receiving process's settings."""

    filesystem: pafs.FileSystem = field(repr=False, compare=False)
    path: str
    uri: str

    @property
    def is_s3(self) -> bool:
        return self.uri.startswith("s3://")

    @property
    def name(self) -> str:
        return PurePosixPath(self.path).name

    @property
    def spark_path(self) -> str:
        """`s3a://bucket/prefix` for S3, the absolute path otherwise."""
        return f"s3a://{self.path}" if self.is_s3 else self.path

    @property
    def parent(self) -> Location:
        return Location(
            self.filesystem, str(PurePosixPath(self.path).parent), self.uri.rstrip("/").rsplit("/", 1)[0]
        )

    def join(self, *parts: str) -> Location:
        return Location(self.filesystem, _join(self.path, *parts), _join(self.uri, *parts))

    def child_name_in(self, parent: Location) -> str | None:
        """This location's name if it lies directly inside `parent` on the same kind of storage, else None.

        Compares the resolved paths segment for segment: local paths are absolute with symbolic links
        followed (`resolve`), so a link leading elsewhere is not inside; on S3 the bucket and every key
        segment must match, so `s3://b/landing-x/y` is not inside `s3://b/landing`."""
        if self.is_s3 != parent.is_s3 or "/" not in self.path:
            return None
        here, name = self.path.rsplit("/", 1)
        return name if name and here == parent.path.rstrip("/") else None

    # Operations: everything the pipeline does with a folder or file, local or on S3.

    def exists(self) -> bool:
        return bool(self.filesystem.get_file_info(self.path).type != pafs.FileType.NotFound)

    def _children(self, kind: Any, recursive: bool = False) -> list[Location]:
        selector = pafs.FileSelector(self.path, allow_not_found=True, recursive=recursive)
        infos = [info for info in self.filesystem.get_file_info(selector) if info.type == kind]
        prefix = len(self.path.rstrip("/")) + 1
        return sorted((self.join(str(info.path)[prefix:]) for info in infos), key=lambda child: child.path)

    def list_folders(self) -> list[Location]:
        """The folders directly under this one (S3: common prefixes), in name order; none if it does not exist."""
        return self._children(pafs.FileType.Directory)

    def list_files(self, recursive: bool = False) -> list[Location]:
        """The files under this folder (directly, or at any depth), in path order; none if it does not exist."""
        return self._children(pafs.FileType.File, recursive)

    def open_input(self) -> pa.NativeFile:
        """A sequential input stream (a context manager); on S3 it reads with ranged GETs as it goes."""
        return self.filesystem.open_input_stream(self.path)

    def read_bytes(self) -> bytes:
        with self.open_input() as stream:
            return bytes(stream.read())

    def write_bytes(self, data: bytes) -> None:
        """Write a whole file so readers never see it half-written: one object upload on S3 (multipart when
        large, visible only once complete), a temporary file renamed over the target locally."""
        filesystem = self.filesystem
        if self.is_s3:
            with filesystem.open_output_stream(self.path) as out:
                out.write(data)
            return
        parent = str(PurePosixPath(self.path).parent)
        filesystem.create_dir(parent, recursive=True)
        staged = f"{parent}/.{self.name}.{uuid.uuid4().hex}.tmp"
        try:
            with filesystem.open_output_stream(staged) as out:
                out.write(data)
            filesystem.move(staged, self.path)
        finally:
            if filesystem.get_file_info(staged).type != pafs.FileType.NotFound:
                filesystem.delete_file(staged)

    def copy_file_to(self, target: Location) -> None:
        """Copy this file, server-side within one S3 endpoint, streamed across filesystems."""
        if not target.is_s3:
            target.filesystem.create_dir(str(PurePosixPath(target.path).parent), recursive=True)
        if self.filesystem.equals(target.filesystem):
            self.filesystem.copy_file(self.path, target.path)  # S3: server-side CopyObject
            return
        with (
            self.filesystem.open_input_stream(self.path) as reader,
            target.filesystem.open_output_stream(target.path) as writer,
        ):
            while chunk := reader.read(_COPY_CHUNK):
                writer.write(chunk)

    def copy_folder_to(self, target: Location) -> list[Location]:
        """Copy every file under this folder (recursively) to the same relative paths under `target`, across
        filesystems too; returns the copies. S3 to S3 copies server-side and creates no folder marker objects."""
        if not self.exists():
            raise FileNotFoundError(self.uri)
        prefix = len(self.path.rstrip("/")) + 1
        copies = []
        for file in self.list_files(recursive=True):
            copy = target.join(file.path[prefix:])
            file.copy_file_to(copy)
            copies.append(copy)
        return copies

    def download_to(self, target: Path) -> list[Path]:
        """Copy this folder's files (e.g. a landed batch on S3) into the local folder `target`; returns them."""
        return [Path(copy.path) for copy in self.copy_folder_to(resolve(target))]

    def delete_folder(self, missing_ok: bool = True) -> None:
        """Delete this folder and everything under it (never a whole bucket)."""
        if self.is_s3 and "/" not in self.path:
            raise ValueError(f"refusing to delete the bucket {self.uri}")
        if not self.exists():
            if missing_ok:
                return
            raise FileNotFoundError(self.uri)
        self.filesystem.delete_dir(self.path)

    def move_folder_to(self, target: Location) -> Location:
        """Move this folder to `target`, which must not exist: a rename locally; on S3 (or across filesystems)
        a copy of every file, then this folder's deletion. Returns the target."""
        if target.exists():
            raise FileExistsError(target.uri)
        if not self.exists():
            raise FileNotFoundError(self.uri)
        if not self.is_s3 and not target.is_s3:
            target.filesystem.create_dir(str(PurePosixPath(target.path).parent), recursive=True)
            target.filesystem.move(self.path, target.path)
            return target
        self.copy_folder_to(target)
        self.delete_folder(missing_ok=False)
        return target

    def __reduce__(self) -> tuple[Any, tuple[str]]:
        return (resolve, (self.uri,))


Where = Location | str | os.PathLike[str]


def is_s3_uri(uri: str | os.PathLike[str]) -> bool:
    return os.fspath(uri).startswith(S3_SCHEMES)


def _split(uri: str | os.PathLike[str]) -> tuple[bool, str]:
    """(is S3, path within the filesystem) for a URI; local paths become absolute."""
    text = os.fspath(uri)
    if text.startswith(S3_SCHEMES):
        key = text.split("://", 1)[1].strip("/")
        if not key:
            raise ValueError(f"an S3 URI needs a bucket: s3://bucket/prefix, not {text!r}")
        return True, key
    if text.startswith(FILE_SCHEME):
        text = text.removeprefix(FILE_SCHEME)
    elif "://" in text:
        raise ValueError(f"unsupported location {text!r}: use a local path or s3://bucket/prefix")
    return False, Path(text).expanduser().resolve().as_posix()


@lru_cache(maxsize=8)
def _s3(endpoint: str | None, region: str | None, key_id: str | None, secret: str | None) -> pafs.FileSystem:
    options: dict[str, Any] = {"region": region}
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.scheme not in {"http", "https"} or not parts.netloc:
            raise ValueError("SICOOP_S3_ENDPOINT must be a URL such as http://127.0.0.1:9000")
        # An S3-compatible server has no region of its own; SigV4 still signs one.
        options |= {
            "endpoint_override": parts.netloc,
            "scheme": parts.scheme,
            "region": region or "us-east-1",
        }
    if key_id and secret:
        options |= {"access_key": key_id, "secret_key": secret}
    return pafs.S3FileSystem(**options)


def s3_filesystem(settings: Settings | None = None) -> pafs.FileSystem:
    """pyarrow's S3 filesystem for the settings, shared per endpoint and credentials (it is thread-safe).
    Path-style addressing with an endpoint, virtual-hosted on AWS (pyarrow's defaults)."""
    settings = settings or get_settings()
    keys = s3_keys(settings)
    return _s3(settings.s3_endpoint, settings.s3_region, *(keys or (None, None)))


def resolve(where: Where, settings: Settings | None = None) -> Location:
    """The filesystem and path of a URI (`s3://`, `s3a://`, `file://` or a plain path)."""
    if isinstance(where, Location):
        return where
    s3, path = _split(where)
    if s3:
        return Location(s3_filesystem(settings), path, f"s3://{path}")
    return Location(pafs.LocalFileSystem(), path, path)
