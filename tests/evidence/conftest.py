import pytest

from evidence.signing import ensure_signing_key


@pytest.fixture(autouse=True)
def signing_key(settings, tmp_path):
    """Each test signs with its own throwaway key, never the developer's real one."""
    settings.SIGHTLINE_PACK_SIGNING_KEY_PATH = tmp_path / "keys" / "pack-signing.ed25519"
    return ensure_signing_key()


@pytest.fixture
def storage_dir(settings, tmp_path):
    settings.SIGHTLINE_STORAGE_DIR = tmp_path / "storage"
    settings.SIGHTLINE_STORAGE_DIR.mkdir()
    return settings.SIGHTLINE_STORAGE_DIR
