"""Local accounts: who may sign in to the dashboard, with which role and which portfolios.

Kept beside the warehouse in `<db>.users.json` (mode 0600), managed with `pmo user add|list|remove`. A password
is stored only as an scrypt hash (memory-hard: 2^15 x 8 x 128 bytes = 32 MiB and ~0.1 s per try) with its own
random salt; checking one compares in constant time, and an unknown name costs the same as a wrong password. An
account made with `--sso` has no password: it signs in through the office's identity provider (Streamlit's
st.login, OIDC) with that e-mail address as its name.

Roles, each including the one before: viewer (reads every page), analyst (also uploads files and downloads
row-level tables), admin (also manages accounts). An account limited to portfolios sees only their projects.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import secrets
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path

ROLES = ("viewer", "analyst", "admin")
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_MAXMEM = 64 * 2**20
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,99}")
MIN_PASSWORD = 12


class AccountError(ValueError):
    """An account cannot be added, found or removed; the message says why."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    portfolios: tuple[str, ...] = ()  # empty: every portfolio
    sso: bool = False
    created: str = ""
    salt: str = field(default="", repr=False)
    hash: str = field(default="", repr=False)

    def may(self, role: str) -> bool:
        """True when this account's role is `role` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def users_file(db: Path) -> Path:
    return db.with_name(db.name + ".users.json")


def accounts(db: Path) -> dict[str, Account]:
    """Every account by name; {} when there are none (the dashboard then runs open, on 127.0.0.1 only)."""
    path = users_file(db)
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    return {name: Account(name=name, **{**fields, "portfolios": tuple(fields.get("portfolios", ()))})
            for name, fields in stored.get("users", {}).items()}


def add(name: str, role: str, *, password: str | None, portfolios: tuple[str, ...] = (),
        db: Path) -> Account:
    """A new account; `password` None makes an SSO account (signs in through st.login only)."""
    if not _NAME.fullmatch(name):
        raise AccountError(f"{name!r}: a name is 1-100 letters, digits and . _ @ + - (an e-mail address for --sso)")
    if role not in ROLES:
        raise AccountError(f"role {role!r}: one of {', '.join(ROLES)}")
    found = accounts(db)
    if name in found:
        raise AccountError(f"{name} exists already: `pmo user remove {name}` first to change it")
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    salt = secrets.token_hex(16)
    account = Account(name, role, tuple(portfolios), password is None, datetime.now().isoformat(timespec="seconds"),
                      salt if password is not None else "", _hash(password, salt) if password is not None else "")
    _save({**found, name: account}, db)
    return account


def remove(name: str, db: Path) -> None:
    found = accounts(db)
    if name not in found:
        raise AccountError(f"no account {name!r}")
    del found[name]
    _save(found, db)


def verify(name: str, password: str, db: Path) -> Account | None:
    """The account when `password` is its password; None otherwise (unknown name, SSO account, wrong password)."""
    account = accounts(db).get(name)
    if account is None or account.sso:
        _hash(password, "0" * 32)  # an unknown name takes as long as a wrong password
        return None
    return account if hmac.compare_digest(_hash(password, account.salt), account.hash) else None


def _hash(password: str, salt: str) -> str:
    return hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), maxmem=_MAXMEM, **_SCRYPT).hex()


def _save(found: dict[str, Account], db: Path) -> None:
    path = users_file(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    users = {a.name: {k: v for k, v in asdict(a).items() if k != "name"} for a in found.values()}
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"users": users}, fh, indent=1, sort_keys=True)
    os.replace(tmp, path)
