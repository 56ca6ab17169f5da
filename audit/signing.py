"""The log's signing key: Ed25519 (through `cryptography`), held outside the database.

The private key comes from AUDIT_SIGNING_KEY (base64 of its 32 raw bytes) or AUDIT_SIGNING_KEY_FILE
(the same base64, or a PEM file). In development a key file is made under var/ on first use; in
production a missing or unreadable key stops the process at start-up (audit.apps). Whoever holds
the database but not the key cannot make a tree head that verifies.
"""

import base64
import functools
import hashlib
import struct
from pathlib import Path

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

HEAD_CONTEXT = b"baznegar audit log tree head v1\n"


def key_from_text(text: bytes) -> Ed25519PrivateKey:
    """A private key from AUDIT_SIGNING_KEY's text or a key file's bytes; ValueError names the fault."""
    try:
        return _from_text(text)
    except (ValueError, TypeError, UnsupportedAlgorithm) as error:
        raise ValueError(str(error) or error.__class__.__name__) from None


def _from_text(text: bytes) -> Ed25519PrivateKey:
    text = text.strip()
    if text.startswith(b"-----BEGIN"):
        key = serialization.load_pem_private_key(text, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError("not an Ed25519 key")
        return key
    raw = base64.b64decode(text, validate=True)
    if len(raw) != 32:
        raise ValueError("an Ed25519 private key is 32 bytes")
    return Ed25519PrivateKey.from_private_bytes(raw)


def new_key_text() -> str:
    """A fresh private key as AUDIT_SIGNING_KEY takes it."""
    raw = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    return base64.b64encode(raw).decode()


@functools.cache
def private_key() -> Ed25519PrivateKey:
    text = getattr(settings, "AUDIT_SIGNING_KEY", "")
    path = getattr(settings, "AUDIT_SIGNING_KEY_FILE", "")
    try:
        if text:
            return key_from_text(text.encode())
        if path:
            file = Path(path)
            if not file.exists() and getattr(settings, "AUDIT_SIGNING_KEY_CREATE", False):
                file.parent.mkdir(parents=True, exist_ok=True)
                file.write_text(new_key_text() + "\n")
                file.chmod(0o600)
            return key_from_text(file.read_bytes())
    except (OSError, ValueError) as error:
        raise ImproperlyConfigured(f"the audit log's signing key cannot be read: {error}") from None
    raise ImproperlyConfigured("no audit log signing key: set AUDIT_SIGNING_KEY or AUDIT_SIGNING_KEY_FILE")


def public_key_bytes() -> bytes:
    return private_key().public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(public: bytes) -> str:
    return hashlib.sha256(public).hexdigest()


def head_message(tree_size: int, timestamp_ms: int, root: bytes) -> bytes:
    """What a tree head's signature covers: its size, its time (milliseconds since the epoch, UTC)
    and its root, after a context string no other signature of ours uses."""
    return HEAD_CONTEXT + struct.pack(">QQ", tree_size, timestamp_ms) + root


def sign_head(tree_size: int, timestamp_ms: int, root: bytes) -> bytes:
    return private_key().sign(head_message(tree_size, timestamp_ms, root))


def head_verifies(public: bytes, tree_size: int, timestamp_ms: int, root: bytes, signature: bytes) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public).verify(bytes(signature), head_message(tree_size, timestamp_ms, root))
    except (InvalidSignature, ValueError):
        return False
    return True
