"""Where photo files live: a local folder by default, an S3-compatible bucket by configuration.

Both keep files under `<sha256>/<variant>.jpg`. Files are immutable (the key
is their content's hash), so writing twice is harmless and reads can be
cached for ever. The calls block; the HTTP layer runs them in a thread.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final, Protocol

from cairn.core.errors import UnavailableError
from cairn.settings import Settings

_KEY: Final = re.compile(r"^[0-9a-f]{64}/(small|large|original)\.jpg$")


class InvalidKeyError(ValueError):
    """A key that is not `<sha256>/<variant>.jpg` (path tricks end here)."""


def checked(key: str) -> str:
    """Return `key` if it is a well-formed photo key, else raise."""
    if not _KEY.fullmatch(key):
        raise InvalidKeyError(key)
    return key


class PhotoStore(Protocol):
    """The one interface both stores implement."""

    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key` (idempotent: the same key always holds the same bytes)."""

    def get(self, key: str) -> bytes | None:
        """The bytes under `key`, or None."""

    def delete(self, key: str) -> None:
        """Remove `key` if present."""


class LocalPhotoStore:
    """Files in a folder, fanned out by the first two hex digits; written atomically."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        checked(key)
        return self.root / key[:2] / key

    def put(self, key: str, data: bytes) -> None:
        """Write to a temporary file, then rename: a reader never sees half a photo."""
        path = self._path(key)
        with _outage("photo store"):
            if path.exists():
                return
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".upload-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                Path(tmp).replace(path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise

    def get(self, key: str) -> bytes | None:
        """The file's bytes, or None."""
        path = self._path(key)
        with _outage("photo store"):
            try:
                return path.read_bytes()
            except FileNotFoundError:
                return None

    def delete(self, key: str) -> None:
        """Unlink the file (and its folder once empty)."""
        path = self._path(key)
        with _outage("photo store"):
            path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):  # other variants are still there
            path.parent.rmdir()


class S3PhotoStore:
    """Objects in an S3-compatible bucket, through boto3 (AWS_* variables give credentials)."""

    def __init__(
        self, bucket: str, prefix: str, endpoint_url: str | None, client: Any = None
    ) -> None:
        import boto3  # type: ignore[import-untyped]  # noqa: PLC0415  (loaded only for S3)
        from botocore.exceptions import (  # type: ignore[import-untyped]  # noqa: PLC0415
            BotoCoreError,
            ClientError,
        )

        self.bucket = bucket
        self.prefix = prefix
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url)
        self.failures: tuple[type[Exception], ...] = (BotoCoreError, ClientError)
        """What boto3 raises when the bucket cannot be reached or refuses: an outage."""

    def put(self, key: str, data: bytes) -> None:
        """PUT the object with a content type and an immutable cache policy."""
        with _outage("photo store", self.failures):
            self.client.put_object(
                Bucket=self.bucket,
                Key=self.prefix + checked(key),
                Body=data,
                ContentType="image/jpeg",
                CacheControl="public, max-age=31536000, immutable",
            )

    def get(self, key: str) -> bytes | None:
        """GET the object; a missing key is None, any other failure is an outage."""
        with _outage("photo store", self.failures):
            try:
                answer = self.client.get_object(Bucket=self.bucket, Key=self.prefix + checked(key))
            except self.client.exceptions.NoSuchKey:
                return None
            data: bytes = answer["Body"].read()
            return data

    def delete(self, key: str) -> None:
        """DELETE the object (S3 answers 204 whether or not it existed)."""
        with _outage("photo store", self.failures):
            self.client.delete_object(Bucket=self.bucket, Key=self.prefix + checked(key))


@contextlib.contextmanager
def _outage(dependency: str, failures: tuple[type[Exception], ...] = (OSError,)) -> Iterator[None]:
    """A store that cannot read or write is down: say so as `UnavailableError` (503)."""
    try:
        yield
    except failures as exc:
        raise UnavailableError(dependency, str(exc) or type(exc).__name__) from exc


def photo_store(settings: Settings) -> PhotoStore:
    """The store the settings choose."""
    if settings.photo_store == "s3" and settings.s3_bucket:  # from_env demands a bucket for s3
        return S3PhotoStore(settings.s3_bucket, settings.s3_prefix, settings.s3_endpoint_url)
    return LocalPhotoStore(settings.data_dir / "photos")
