"""Paths that are fsspec URLs (`s3://bucket/news/`, `gs://...`, `file:///data/corpus`, ...): the few file-system
calls the loaders and the cache need, answered by fsspec where it is installed (it comes with `corpuslint[dask]`;
`s3://` also needs `s3fs`, `gs://` needs `gcsfs`). Local paths never come here."""

from __future__ import annotations

import functools
from typing import Any, BinaryIO


class RemoteError(OSError):
    """fsspec is missing, or the URL cannot be listed or read."""


def is_url(path: str) -> bool:
    return "://" in path


@functools.cache
def _filesystem(protocol: str) -> Any:
    try:
        import fsspec
    except ImportError as exc:
        raise RemoteError(f"{protocol}:// paths need fsspec: pip install 'corpuslint[dask]'") from exc
    try:
        return fsspec.filesystem(protocol)
    except (ImportError, ValueError) as exc:
        raise RemoteError(f"{protocol}:// paths need the fsspec backend for {protocol}: {exc}") from exc


def _split(url: str) -> tuple[Any, str, str]:
    protocol = url.split("://", 1)[0]
    fs = _filesystem(protocol)
    return fs, protocol, fs._strip_protocol(url)  # the path inside the file system, as fsspec spells it


def find(url: str) -> list[str] | None:
    """The files under `url`, as paths relative to it (sorted; `[""]` when `url` is a file itself), or None when
    it does not exist."""
    fs, _, root = _split(url)
    try:
        if fs.isfile(root):
            return [""]
        if not fs.isdir(root):
            return None
        prefix = root.rstrip("/") + "/"
        return sorted(path[len(prefix) :] for path in fs.find(root) if path.startswith(prefix))
    except OSError as exc:
        raise RemoteError(f"cannot list {url}: {exc}") from exc


def open_url(url: str) -> BinaryIO:
    fs, _, path = _split(url)
    return fs.open(path, "rb")


def size(url: str) -> int:
    fs, _, path = _split(url)
    return int(fs.size(path))


def stat_key(url: str) -> str | None:
    """What says an object changed: its size plus its modification time, ETag or checksum where the store has one."""
    fs, _, path = _split(url)
    try:
        info = fs.info(path)
    except OSError:
        return None
    version = next(
        (str(info[k]) for k in ("mtime", "LastModified", "ETag", "md5Hash", "updated", "created") if k in info), ""
    )
    return f"{info.get('size')}:{version}"
