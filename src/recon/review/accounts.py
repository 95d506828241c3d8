"""Accounts and roles: argon2 passwords, login throttling and lockout, and what each role may do."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Engine

from recon.warehouse.ops_store import _now, users

ROLES = {
    "admin": "系统管理员",
    "reviewer": "派出所审核员",
    "supervisor": "审核主管（街道）",
    "community": "社区工作人员",
    "analyst": "数据分析员",
}
SCOPE_KEYS = ("stations", "streets", "communities")

MAX_FAILED_LOGINS = 5  # per account, then locked
LOCKOUT = timedelta(minutes=15)
CLIENT_WINDOW_S = 600  # per client address: at most this many failed logins per window
CLIENT_MAX_FAILURES = 20

_hasher = PasswordHasher()  # argon2id, library defaults (64 MiB, 3 passes)
_DUMMY_HASH = _hasher.hash("not-a-real-password")  # equal work for unknown user names


class AccountError(ValueError):
    """A user-management request that cannot be done; the message says why and what to do."""


def hash_password(password: str) -> str:
    if len(password) < 10:
        raise AccountError("密码至少 10 位（password must be at least 10 characters）")
    return _hasher.hash(password)


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


@dataclass(frozen=True)
class Principal:
    """The signed-in user and what the role allows."""

    user_id: int
    username: str
    display_name: str
    role: str
    stations: tuple[str, ...] = ()
    streets: tuple[str, ...] = ()
    communities: tuple[str, ...] = ()

    @property
    def role_name(self) -> str:
        return ROLES.get(self.role, self.role)

    # what the role may do --------------------------------------------------------------------
    @property
    def can_decide(self) -> bool:
        return self.role in ("admin", "reviewer", "supervisor")

    @property
    def can_reassign(self) -> bool:
        return self.role in ("admin", "supervisor")

    @property
    def can_reveal(self) -> bool:
        return self.role in ("admin", "reviewer", "supervisor", "community")

    @property
    def can_export(self) -> bool:
        return self.role in ("admin", "reviewer", "supervisor")

    @property
    def masks_names(self) -> bool:
        return self.role == "analyst"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    def scope_sql(self, alias: str = "q") -> tuple[str, list]:
        """SQL predicate (and parameters) limiting findings to what this user may see."""
        if self.role in ("admin", "analyst"):
            return "TRUE", []
        col, values = {
            "reviewer": ("station", self.stations),
            "supervisor": ("street", self.streets),
            "community": ("community", self.communities),
        }.get(self.role, ("station", ()))
        if not values:
            return "FALSE", []
        return f"{alias}.{col} IN ({', '.join('?' * len(values))})", list(values)

    def may_see(self, row: dict) -> bool:
        """Whether a finding row (with station, street, community) is in scope."""
        if self.role in ("admin", "analyst"):
            return True
        if self.role == "reviewer":
            return row.get("station") in self.stations
        if self.role == "supervisor":
            return row.get("street") in self.streets
        if self.role == "community":
            return row.get("community") in self.communities
        return False

    def scope_text(self) -> str:
        if self.role in ("admin", "analyst"):
            return "全区"
        parts = {"reviewer": self.stations, "supervisor": self.streets, "community": self.communities}
        return "、".join(parts.get(self.role, ())) or "（未分配范围）"


def principal_from_row(row: dict) -> Principal:
    scope = row.get("scope") or {}
    return Principal(
        user_id=int(row["user_id"]),
        username=row["username"],
        display_name=row["display_name"],
        role=row["role"],
        stations=tuple(scope.get("stations") or ()),
        streets=tuple(scope.get("streets") or ()),
        communities=tuple(scope.get("communities") or ()),
    )


# -- user management (the `recon users` commands call these) ---------------------------------------
def add_user(
    engine: Engine,
    username: str,
    password: str,
    role: str,
    *,
    display_name: str | None = None,
    stations: list[str] | None = None,
    streets: list[str] | None = None,
    communities: list[str] | None = None,
) -> int:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; choose one of {', '.join(ROLES)}")
    scope = {"stations": stations or [], "streets": streets or [], "communities": communities or []}
    need = {"reviewer": "stations", "supervisor": "streets", "community": "communities"}.get(role)
    if need and not scope[need]:
        flag = {"stations": "--station", "streets": "--street", "communities": "--community"}[need]
        raise AccountError(f"a {role} needs at least one {flag} (the {need} whose findings they work on)")
    with engine.begin() as con:
        if con.execute(select(users.c.user_id).where(users.c.username == username)).first():
            raise AccountError(f"user {username!r} already exists; use reset-password or pick another name")
        res = con.execute(
            insert(users).values(
                username=username,
                display_name=display_name or username,
                password_hash=hash_password(password),
                role=role,
                scope=scope,
                disabled=False,
                failed_logins=0,
                created_at=_now(),
            )
        )
        return int(res.inserted_primary_key[0])


def list_users(engine: Engine) -> list[dict]:
    with engine.connect() as con:
        return [dict(r._mapping) for r in con.execute(select(users).order_by(users.c.user_id)).all()]


def _user_id(engine: Engine, username: str) -> int:
    with engine.connect() as con:
        got = con.execute(select(users.c.user_id).where(users.c.username == username)).first()
    if not got:
        raise AccountError(f"no user {username!r}; `recon users list` shows the existing accounts")
    return int(got[0])


def set_disabled(engine: Engine, username: str, disabled: bool = True) -> None:
    from recon.warehouse.ops_store import sessions

    uid = _user_id(engine, username)
    with engine.begin() as con:
        con.execute(update(users).where(users.c.user_id == uid).values(disabled=disabled))
        if disabled:  # a disabled account loses its open sessions at once
            con.execute(update(sessions).where(sessions.c.user_id == uid).values(revoked=True))


def reset_password(engine: Engine, username: str, password: str) -> None:
    uid = _user_id(engine, username)
    with engine.begin() as con:
        con.execute(
            update(users)
            .where(users.c.user_id == uid)
            .values(password_hash=hash_password(password), failed_logins=0, locked_until=None)
        )


def user_count(engine: Engine) -> int:
    with engine.connect() as con:
        return int(con.execute(select(func.count()).select_from(users)).scalar_one())


# -- login -----------------------------------------------------------------------------------------
@dataclass
class LoginThrottle:
    """Failed logins per client address in a sliding window (the account lockout is in the store)."""

    window_s: float = CLIENT_WINDOW_S
    max_failures: int = CLIENT_MAX_FAILURES
    _failures: dict[str, deque] = field(default_factory=lambda: defaultdict(deque))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def blocked(self, client: str) -> bool:
        with self._lock:
            q = self._failures[client]
            cutoff = time.monotonic() - self.window_s
            while q and q[0] < cutoff:
                q.popleft()
            return len(q) >= self.max_failures

    def failed(self, client: str) -> None:
        with self._lock:
            self._failures[client].append(time.monotonic())


class LoginRefused(Exception):
    def __init__(self, code: str, message: str, what_to_do: str) -> None:
        super().__init__(message)
        self.code, self.message, self.what_to_do = code, message, what_to_do


def authenticate(engine: Engine, username: str, password: str) -> Principal:
    """Check a password; counts failures and locks the account after MAX_FAILED_LOGINS."""
    with engine.connect() as con:
        row = con.execute(select(users).where(users.c.username == username)).first()
    if row is None:
        _verify(_DUMMY_HASH, password)
        raise LoginRefused(
            "bad_credentials", "用户名或密码不正确。", "请检查后重新输入；忘记密码请联系系统管理员重置。"
        )
    user = dict(row._mapping)
    now = _now()
    if user["disabled"]:
        raise LoginRefused("account_disabled", "该账号已停用。", "请联系系统管理员。")
    if user["locked_until"] and user["locked_until"] > now:
        minutes = max(1, int((user["locked_until"] - now).total_seconds() // 60) + 1)
        raise LoginRefused(
            "account_locked",
            f"密码连续输错 {MAX_FAILED_LOGINS} 次，账号已锁定。",
            f"请 {minutes} 分钟后再试，或联系系统管理员重置密码。",
        )
    if not _verify(user["password_hash"], password):
        failed = int(user["failed_logins"] or 0) + 1
        values: dict = {"failed_logins": failed}
        if failed >= MAX_FAILED_LOGINS:
            values = {"failed_logins": 0, "locked_until": now + LOCKOUT}
        with engine.begin() as con:
            con.execute(update(users).where(users.c.user_id == user["user_id"]).values(**values))
        left = MAX_FAILED_LOGINS - failed
        if "locked_until" in values:
            raise LoginRefused(
                "account_locked",
                f"密码连续输错 {MAX_FAILED_LOGINS} 次，账号已锁定。",
                f"请 {int(LOCKOUT.total_seconds() // 60)} 分钟后再试，或联系系统管理员重置密码。",
            )
        raise LoginRefused(
            "bad_credentials",
            "用户名或密码不正确。",
            f"请检查后重新输入；再错 {left} 次账号将被锁定 {int(LOCKOUT.total_seconds() // 60)} 分钟。",
        )
    if user["failed_logins"] or user["locked_until"]:
        with engine.begin() as con:
            con.execute(
                update(users)
                .where(users.c.user_id == user["user_id"])
                .values(failed_logins=0, locked_until=None)
            )
    return principal_from_row(user)
