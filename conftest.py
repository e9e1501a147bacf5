import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Argon2 stays the production hasher (see test_settings); tests hash with MD5 for speed.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded evidence files of a test go to its own temporary directory.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(db):
    from kiemdinh.core.testing import build_world

    return build_world()


@pytest.fixture
def frameworks_loaded(db):
    from kiemdinh.frameworks.services import framework_version_load
    from kiemdinh.frameworks.spec import data_files, read_data_file

    for path in data_files():
        framework_version_load(data=read_data_file(path))
