import pytest

from tests.evidence.factories import PACK_FILES, build_pack
from tests.regulations.factories import RegimeFactory


@pytest.fixture(autouse=True)
def _own_signing_key(signing_key):
    """Every pack test signs with a throwaway key (the shared `signing_key` fixture)."""
    return signing_key


@pytest.fixture
def eu_regime(db):
    """Packs are scoped by the regimes loaded in the content; this one is the EU AI Act."""
    return RegimeFactory(code="eu", name="EU AI Act")


@pytest.fixture
def pack(tmp_path):
    """A signed pack of three small files, to verify and tamper with."""
    return build_pack(tmp_path / "pack.zip", PACK_FILES)
