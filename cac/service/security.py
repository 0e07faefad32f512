"""API keys: generation, salted hashing at rest, constant-time verification.

A key reads ``cac_<key id>_<secret>``. The key id (public, 12 hex characters) finds the row; the secret
(32 random bytes) is checked against its salted SHA-256. Keys are random, so one fast hash is enough:
a slow password hash would only add latency to every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

ROLES = ("coder", "cdi", "auditor", "admin")
PREFIX = "cac"


@dataclass(frozen=True)
class NewKey:
    key_id: str
    secret: str
    salt: str
    key_hash: str

    @property
    def plaintext(self) -> str:
        """The key handed to the user once; never stored."""
        return f"{PREFIX}_{self.key_id}_{self.secret}"


def hash_secret(secret: str, salt: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode("utf-8")).hexdigest()


def generate_key() -> NewKey:
    key_id = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    return NewKey(key_id=key_id, secret=secret, salt=salt, key_hash=hash_secret(secret, salt))


def split_key(key: str) -> tuple[str, str] | None:
    """(key id, secret) of a well-formed key, else None."""
    parts = key.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != PREFIX or len(parts[1]) != 12 or not parts[2]:
        return None
    return parts[1], parts[2]


def verify_secret(secret: str, salt: str, key_hash: str) -> bool:
    return hmac.compare_digest(hash_secret(secret, salt), key_hash)
