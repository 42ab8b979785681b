"""Passwords: what a new one must be (length, not common), and hashing with argon2id."""

from __future__ import annotations

import gzip
import re
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

MIN_LENGTH = 12
#: Django's list of 20,000 common passwords (source and licence: common-passwords.md).
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")
# What is left of "Welkom2026!" once digits, punctuation and spaces are gone: "welkom".
_NOT_LETTERS = re.compile(r"[\W\d_]+")

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 low-memory profile
# Verified against when the user does not exist, so both paths take as long.
_DUMMY_HASH = _hasher.hash("gebiedsradar-no-such-user")


class WeakPassword(ValueError):
    """A new password that does not meet the rules (the message says which)."""


@cache
def common_passwords() -> frozenset[str]:
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as f:
        return frozenset(line.strip() for line in f if line.strip())


def check_password(password: str) -> None:
    """Raise WeakPassword when `password` may not be used as a new password."""
    if len(password) < MIN_LENGTH:
        raise WeakPassword(f"wachtwoord te kort: gebruik minstens {MIN_LENGTH} tekens")
    lowered = password.lower()
    if len(set(lowered)) < 5:
        raise WeakPassword("wachtwoord te eentonig: gebruik minstens 5 verschillende tekens")
    letters = _NOT_LETTERS.sub("", lowered)
    repeated = re.fullmatch(r"(.+?)\1+", letters)  # "passwordpassword" is "password" twice
    unit = repeated.group(1) if repeated else letters
    common = common_passwords()
    if lowered in common or letters in common or unit in common or not letters:
        raise WeakPassword("wachtwoord te voorspelbaar: het staat (bijna) zo in een lijst van veel"
                           " gebruikte wachtwoorden; kies een zin van een paar woorden")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    """True when `password` matches; always spends one argon2 verification."""
    try:
        return _hasher.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    return _hasher.check_needs_rehash(stored_hash)
