"""The two photo stores keep one contract; the S3 one runs against a local S3 server (moto)."""

from __future__ import annotations

import hashlib
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from litestar.testing import AsyncTestClient
from moto.server import ThreadedMotoServer

from cairn.app import create_app
from cairn.core.storage import InvalidKeyError, LocalPhotoStore, PhotoStore, S3PhotoStore
from cairn.settings import Settings
from tests.photos.images import photo
from tests.photos.test_upload import JPEG, observation_with_device, photo_url

CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "cairn-test",
    "AWS_SECRET_ACCESS_KEY": "cairn-test-secret",
    "AWS_DEFAULT_REGION": "eu-west-3",
}


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    """A local S3-compatible server on a free loopback port."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def bucket(s3_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = f"cairn-{uuid.uuid4().hex[:12]}"
    boto3.client("s3", endpoint_url=s3_endpoint).create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"}
    )
    return name


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> PhotoStore:
    if request.param == "local":
        return LocalPhotoStore(tmp_path / "photos")
    endpoint = request.getfixturevalue("s3_endpoint")
    return S3PhotoStore(request.getfixturevalue("bucket"), "photos/", endpoint)


def test_put_get_delete(store: PhotoStore) -> None:
    key = hashlib.sha256(b"a").hexdigest() + "/small.jpg"
    assert store.get(key) is None
    store.put(key, b"first")
    store.put(key, b"first")  # idempotent
    assert store.get(key) == b"first"
    store.delete(key)
    store.delete(key)  # deleting twice is fine
    assert store.get(key) is None


@pytest.mark.parametrize(
    "key", ["../secret_key", "a/b.jpg", "x" * 64 + "/small.jpg", "0" * 64 + "/huge.jpg", ""]
)
def test_malformed_keys_never_reach_the_store(store: PhotoStore, key: str) -> None:
    with pytest.raises(InvalidKeyError):
        store.put(key, b"x")
    with pytest.raises(InvalidKeyError):
        store.get(key)


async def test_the_app_on_s3_stores_and_serves_photos(
    s3_endpoint: str, bucket: str, dsn: str, tmp_path: Path
) -> None:
    settings = Settings.from_env(
        {
            "CAIRN_DATA_DIR": str(tmp_path),
            "CAIRN_PHOTO_STORE": "s3",
            "CAIRN_S3_BUCKET": bucket,
            "CAIRN_S3_ENDPOINT_URL": s3_endpoint,
        }
    )
    async with AsyncTestClient(create_app(settings, dsn)) as client:
        observation_id, headers = await observation_with_device(client)
        answer = await client.put(
            photo_url(observation_id), content=photo(), headers={**headers, **JPEG}
        )
        assert answer.status_code == 201, answer.text
        receipt = answer.json()
        served = await client.get(receipt["urls"]["large"], headers=headers)
        assert served.status_code == 200
        assert served.content[:2] == b"\xff\xd8"
    listed = boto3.client("s3", endpoint_url=s3_endpoint).list_objects_v2(Bucket=bucket)
    assert sorted(o["Key"] for o in listed["Contents"]) == [
        f"photos/{receipt['sha256']}/{variant}.jpg" for variant in ("large", "original", "small")
    ]
    assert not (tmp_path / "photos").exists()
