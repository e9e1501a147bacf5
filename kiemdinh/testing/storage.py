"""Storage for the tests: an S3-compatible server (moto's), a fresh bucket per test, and listing what a storage holds.

The fixtures in the root conftest.py use these: `s3_storage` switches the default storage to django-storages' S3
backend, configured exactly as config/settings.py configures it for KIEMDINH_STORAGE=s3, on a fresh bucket;
`any_storage` runs a test once on the file system and once on S3.
"""

import os
import runpy
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from contextlib import suppress
from pathlib import Path
from unittest import mock

import boto3
from django.conf import settings

REGION = "us-east-1"
ACCESS_KEY = "kiemdinh-test"
SECRET_KEY = "kiemdinh-test-secret"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(endpoint: str) -> bool:
    try:
        with urllib.request.urlopen(endpoint, timeout=1):
            return True
    except urllib.error.HTTPError:
        return True
    except OSError:
        return False


class MotoServer:
    """moto's S3 server in a process of its own on a free port of 127.0.0.1.

    Not moto's ThreadedMotoServer in this process: moto keeps every object in memory, and the tests that measure the
    memory of an upload or a download (tracemalloc, which counts every thread) must measure the application alone.
    """

    def __init__(self, log_dir: Path):
        self.port = _free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.log = (log_dir / "moto.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while not _answers(self.endpoint):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"moto's server did not start on {self.endpoint}; see {self.log.name}")
            time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        with suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=10)
        if self.process.poll() is None:
            self.process.kill()
        self.log.close()


def s3_environment(endpoint: str, bucket: str) -> dict[str, str]:
    return {
        "KIEMDINH_STORAGE": "s3",
        "KIEMDINH_S3_BUCKET": bucket,
        "KIEMDINH_S3_ENDPOINT_URL": endpoint,
        "KIEMDINH_S3_REGION": REGION,
        "KIEMDINH_S3_ACCESS_KEY_ID": ACCESS_KEY,
        "KIEMDINH_S3_SECRET_ACCESS_KEY": SECRET_KEY,
    }


def settings_with(environment: dict[str, str]) -> dict:
    """The names config/settings.py defines when the process has these environment variables (on top of this one's)."""
    with mock.patch.dict(os.environ, environment):
        return runpy.run_path(str(Path(settings.BASE_DIR) / "config" / "settings.py"))


def s3_client(endpoint: str):

    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
    )


def new_bucket(client) -> str:
    name = f"kiemdinh-test-{uuid.uuid4().hex[:16]}"
    client.create_bucket(Bucket=name)
    return name


def drop_bucket(client, bucket: str) -> None:
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
        for entry in page.get("Contents", []):
            client.delete_object(Bucket=bucket, Key=entry["Key"])
    client.delete_bucket(Bucket=bucket)


def stored_names(storage, folder: str = "") -> list[str]:
    """Every file name the storage holds under `folder`, listed through the storage API (on any storage)."""
    try:
        directories, files = storage.listdir(folder)
    except FileNotFoundError:  # the file system storage before its first file
        return []
    prefix = f"{folder}/" if folder else ""
    names = [prefix + name for name in files]
    for directory in directories:
        names += stored_names(storage, prefix + directory)
    return sorted(names)
