import pytest
from django.contrib.auth import get_user_model
from django.db import connection

from core.roles import Role
from evidence.signing import ensure_signing_key
from tests.assessments import factories as assessment_factories

PASSWORD = "correct-horse-battery-staple-42"


def make_user(username: str, role: str | None) -> object:
    user = get_user_model().objects.create_user(
        username=username, email=f"{username}@example.com", password=PASSWORD
    )
    if role:
        from django.contrib.auth.models import Group

        user.groups.add(Group.objects.get(name=role))
        if role == Role.ADMIN:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def officer(db):
    return make_user("officer", Role.COMPLIANCE_OFFICER)


@pytest.fixture
def officer2(db):
    return make_user("officer2", Role.COMPLIANCE_OFFICER)


@pytest.fixture
def procurement(db):
    return make_user("buyer", Role.PROCUREMENT)


@pytest.fixture
def auditor(db):
    return make_user("auditor", Role.AUDITOR)


@pytest.fixture
def admin_user(db):
    return make_user("admin", Role.ADMIN)


@pytest.fixture
def norole(db):
    return make_user("nobody", None)


@pytest.fixture
def requester(db):
    return make_user("requester", Role.REQUESTER)


@pytest.fixture
def storage_dir(settings, tmp_path):
    """Blobs, uploads and packs go to this test's own folder, never the developer's storage."""
    settings.SIGHTLINE_STORAGE_DIR = tmp_path / "storage"
    settings.SIGHTLINE_STORAGE_DIR.mkdir()
    return settings.SIGHTLINE_STORAGE_DIR


@pytest.fixture
def signing_key(settings, tmp_path):
    """Each test signs with its own throwaway key, never the developer's real one."""
    settings.SIGHTLINE_PACK_SIGNING_KEY_PATH = tmp_path / "keys" / "pack-signing.ed25519"
    return ensure_signing_key()


@pytest.fixture
def as_officer(client, officer):
    """The test client signed in as the compliance officer."""
    client.login(username=officer.username, password=PASSWORD)
    return client


@pytest.fixture
def as_auditor(client, auditor):
    client.login(username=auditor.username, password=PASSWORD)
    return client


@pytest.fixture
def eager_celery():
    """Queued tasks run inline (the live server too runs in this process), as a worker would."""
    from sightline.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture
def ingest_chunk_bytes(monkeypatch, settings):
    """ingest_chunk_bytes(n): log chunks of n bytes, here and in workers (they read the env)."""

    def set_size(n: int) -> None:
        monkeypatch.setenv("SIGHTLINE_INGEST_CHUNK_BYTES", str(n))
        settings.SIGHTLINE_INGEST_CHUNK_BYTES = n

    return set_size


@pytest.fixture
def postgres_only():
    """Real concurrent writers and row locks need PostgreSQL; SQLite serialises every writer."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL): SQLite serialises concurrent writers")


@pytest.fixture
def credit_system(db):
    """A credit-scoring system classified under the shipped EU content (the FRIA applies)."""
    assessment_factories.load_real_content("eu")
    return assessment_factories.credit_scorer()


@pytest.fixture
def users(officer, procurement, auditor, admin_user, norole, requester):
    return {
        "compliance_officer": officer,
        "procurement": procurement,
        "auditor": auditor,
        "admin": admin_user,
        "norole": norole,
        "requester": requester,
    }


def pytest_configure(config):
    from django.conf import settings

    # Real hashing costs ~0.3 s per user; the role matrix creates thousands.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
