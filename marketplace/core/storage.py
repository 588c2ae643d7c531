"""File storage shared by every web host and worker: uploads, issued certificates, exports, backups.

One small interface, two backends chosen by `UPLOAD_BACKEND`:
- `local` (the embedded default): files under `UPLOAD_DIR`, written to a temporary name and renamed,
  so a reader never sees half a file. Several hosts share it only through a shared volume.
- `s3`: an S3-compatible bucket (AWS S3, MinIO, Ceph, moto in the tests) through boto3:
  `S3_BUCKET`, `S3_ENDPOINT_URL` (unset: AWS), `S3_REGION`, `S3_ACCESS_KEY_ID`, `S3_SECRET_ACCESS_KEY`
  (unset: boto3's own chain: environment, instance role), `S3_PREFIX` (keys start with it),
  `S3_ADDRESSING_STYLE` (`path` for most self-hosted stores).

Keys are relative, `/`-separated paths such as `ab/ab12…` (an upload) or `certificates/…`.
An unreachable store raises `core.errors.Unavailable` (a 503 with Retry-After), never a 500.
"""
import hashlib
import io
import os
import secrets
import threading
from collections.abc import Iterator
from typing import BinaryIO

from flask import current_app
from flask_babel import gettext as _

from .errors import Unavailable

BACKENDS = ("local", "s3")


class StorageMissing(LookupError):
    """No object under that key."""


def _check_key(key: str) -> str:
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts) or "\\" in key or "\x00" in key:
        raise ValueError(f"bad storage key {key!r}")
    return key


class LocalStorage:
    """Files under one directory."""

    name = "local"

    def __init__(self, root: str):
        self.root = root

    def path(self, key: str) -> str:
        return os.path.join(self.root, *_check_key(key).split("/"))

    def local_path(self, key: str) -> str | None:
        """A path on this host to hand to send_file (local files only)."""
        return self.path(key)

    def put(self, key: str, stream: BinaryIO, content_type: str = "application/octet-stream") -> None:
        path = self.path(key)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = f"{path}.{secrets.token_hex(4)}.part"
        try:
            with open(tmp, "xb") as out:
                while chunk := stream.read(64 * 1024):
                    out.write(chunk)
            os.replace(tmp, path)
        except BaseException:
            _remove(tmp)
            raise

    def open(self, key: str) -> BinaryIO:
        try:
            return open(self.path(key), "rb")
        except FileNotFoundError:
            raise StorageMissing(key) from None

    def exists(self, key: str) -> bool:
        return os.path.isfile(self.path(key))

    def delete(self, key: str) -> None:
        _remove(self.path(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        """Every key (starting with `prefix`), temporary files left out."""
        for root, _dirs, files in os.walk(self.root):
            for f in files:
                if f.endswith(".part"):
                    continue
                key = os.path.relpath(os.path.join(root, f), self.root).replace(os.sep, "/")
                if key.startswith(prefix):
                    yield key


class S3Storage:
    """Objects in one bucket, under an optional prefix."""

    name = "s3"

    def __init__(self, client, bucket: str, prefix: str = ""):
        self.client = client
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""

    def _key(self, key: str) -> str:
        return self.prefix + _check_key(key)

    def local_path(self, key: str) -> None:
        return None

    def _call(self, method, **kwargs):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, method)(Bucket=self.bucket, **kwargs)
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                raise StorageMissing(kwargs.get("Key", "")) from None
            current_app.logger.error("object storage %s failed: %s", method, err)
            raise Unavailable(_("文件存储暂时不可用，请稍后再试")) from None
        except BotoCoreError as err:  # connection refused, timeouts, DNS
            current_app.logger.error("object storage unreachable (%s): %s", method, err)
            raise Unavailable(_("文件存储暂时不可用，请稍后再试")) from None

    def put(self, key: str, stream: BinaryIO, content_type: str = "application/octet-stream") -> None:
        self._call("put_object", Key=self._key(key), Body=stream, ContentType=content_type)

    def open(self, key: str) -> BinaryIO:
        body = self._call("get_object", Key=self._key(key))["Body"]
        try:
            return io.BytesIO(body.read())  # files here are small (UPLOAD_MAX_BYTES); send_file sizes it
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        try:
            self._call("head_object", Key=self._key(key))
        except StorageMissing:
            return False
        return True

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=self._key(key))

    def keys(self, prefix: str = "") -> Iterator[str]:
        token = None
        while True:
            kwargs = {"Prefix": self.prefix + prefix}
            if token:
                kwargs["ContinuationToken"] = token
            page = self._call("list_objects_v2", **kwargs)
            for item in page.get("Contents", []):
                yield item["Key"][len(self.prefix):]
            if not page.get("IsTruncated"):
                return
            token = page["NextContinuationToken"]


_clients: dict[tuple, object] = {}
_clients_lock = threading.Lock()


def s3_client(config):
    """One boto3 client per set of S3 settings (clients are thread-safe; sessions are not)."""
    import boto3
    from botocore.config import Config as BotoConfig

    settings = (config.get("S3_ENDPOINT_URL") or None, config.get("S3_REGION") or "us-east-1",
                config.get("S3_ACCESS_KEY_ID") or None, config.get("S3_SECRET_ACCESS_KEY") or None,
                config.get("S3_ADDRESSING_STYLE") or "path", float(config.get("S3_TIMEOUT") or 5))
    with _clients_lock:
        if settings not in _clients:
            endpoint, region, key_id, secret, style, timeout = settings
            session = boto3.session.Session()
            _clients[settings] = session.client(
                "s3", endpoint_url=endpoint, region_name=region, aws_access_key_id=key_id,
                aws_secret_access_key=secret,
                config=BotoConfig(s3={"addressing_style": style}, connect_timeout=timeout, read_timeout=timeout,
                                  retries={"max_attempts": 2, "mode": "standard"}))
        return _clients[settings]


def storage_from(config) -> LocalStorage | S3Storage:
    """The store the settings in `config` (a dict or the app's config) name."""
    backend = (config.get("UPLOAD_BACKEND") or "local").lower()
    if backend == "local":
        return LocalStorage(config["UPLOAD_DIR"])
    if backend == "s3":
        if not config.get("S3_BUCKET"):
            raise RuntimeError("UPLOAD_BACKEND=s3 needs S3_BUCKET")
        return S3Storage(s3_client(config), config["S3_BUCKET"], config.get("S3_PREFIX") or "")
    raise RuntimeError(f"UPLOAD_BACKEND must be one of {', '.join(BACKENDS)}, not {backend!r}")


def storage() -> LocalStorage | S3Storage:
    """The current app's store (read from its config each time: tests change UPLOAD_DIR per test)."""
    return storage_from(current_app.config)


def kept_copy(kind: str, fingerprint: tuple, render, content_type: str = "application/pdf") -> bytes:
    """The document `render()` makes for `fingerprint` (everything the document shows, e.g. a
    certificate's number, status, last change and language), made once and kept in the store under
    `kind/`: every host then serves the same bytes without rendering them again."""
    digest = hashlib.sha256(repr(fingerprint).encode()).hexdigest()[:32]
    key = f"{_check_key(kind)}/{digest[:2]}/{digest}"
    store = storage()
    try:
        with store.open(key) as f:
            return f.read()
    except StorageMissing:
        pass
    data = render()
    store.put(key, io.BytesIO(data), content_type=content_type)
    return data


def _remove(path: str):
    try:
        os.remove(path)
    except OSError:
        pass
