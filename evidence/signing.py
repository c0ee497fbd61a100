"""Ed25519 signing of pack manifests: one private key on the server, its public key published."""

import base64
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings


class SigningKeyMissing(RuntimeError):
    """Packs must not be built unsigned; the operator has to create (or mount) a key first."""


@dataclass(frozen=True)
class KeyStatus:
    path: Path
    created: bool
    fingerprint: str


def key_path() -> Path:
    return Path(settings.SIGHTLINE_PACK_SIGNING_KEY_PATH)


def ensure_signing_key(*, path: Path | None = None) -> KeyStatus:
    """Create the private key once (0600); an existing key is never replaced, so old packs stay verifiable."""
    path = Path(path or key_path())
    if path.exists():
        return KeyStatus(path, False, fingerprint(load_private_key(path=path).public_key()))
    path.parent.mkdir(parents=True, exist_ok=True)
    os.chmod(path.parent, 0o700)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    # O_EXCL: two processes racing on first start cannot both write a key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(path, 0o600)
    return KeyStatus(path, True, fingerprint(key.public_key()))


def load_private_key(*, path: Path | None = None) -> Ed25519PrivateKey:
    path = Path(path or key_path())
    if not path.exists():
        raise SigningKeyMissing(
            f"No pack-signing key at {path}. Run `manage.py ensure_signing_key` "
            "or set SIGHTLINE_PACK_SIGNING_KEY_PATH."
        )
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyMissing(f"{path} is not an Ed25519 private key.")
    return key


def public_key() -> Ed25519PublicKey:
    return load_private_key().public_key()


def public_key_pem(key: Ed25519PublicKey | None = None) -> str:
    key = key or public_key()
    return key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()


def load_public_key_pem(pem: bytes) -> Ed25519PublicKey:
    key = serialization.load_pem_public_key(pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("Not an Ed25519 public key.")
    return key


def fingerprint(key: Ed25519PublicKey) -> str:
    """SHA-256 of the raw 32-byte public key, grouped for reading aloud over the phone."""
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    digest = hashlib.sha256(raw).hexdigest()
    return ":".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def sign(data: bytes) -> bytes:
    """Raw 64-byte detached signature, so `openssl pkeyutl -verify -rawin` can check it too."""
    return load_private_key().sign(data)


def verify_signature(data: bytes, signature: bytes, key: Ed25519PublicKey | None = None) -> bool:
    key = key or public_key()
    if len(signature) != 64:
        # Tolerate a base64 text signature, but only if it decodes to the right length.
        try:
            signature = base64.b64decode(signature.strip(), validate=True)
        except ValueError:
            return False
        if len(signature) != 64:
            return False
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
