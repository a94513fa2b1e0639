"""Password hashing (Argon2id) and the strength rule for staff passwords."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MIN_SCORE = 4  # zxcvbn 0-4; 4 = at least 10^10 guesses ("strong protection from an offline slow-hash attack")

# Words an attacker tries first against a Swedish municipality, beyond zxcvbn's English dictionaries.
LOCAL_WORDS = (
    "trygg", "trygghet", "kommun", "kommunen", "polis", "polisen", "lösenord", "losenord", "sommar", "vinter",
    "hösten", "våren", "sverige", "stockholm", "göteborg", "malmö", "välkommen", "valkommen", "hej", "admin",
)

_hasher = PasswordHasher()  # argon2-cffi defaults to Argon2id with RFC 9106 low-memory parameters


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def weakness(password: str, *, email: str = "") -> str | None:
    """Why a password is too weak, as a stable reason code, or None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    if len(password) > 1024:
        return "too_long"
    user_inputs = [*LOCAL_WORDS, *filter(None, email.replace("@", ".").split("."))]
    if zxcvbn(password[:100], user_inputs=user_inputs)["score"] < MIN_SCORE:
        return "too_guessable"
    return None
