"""Server-side sessions behind a signed, HttpOnly, SameSite cookie, and the CSRF token of each.

The cookie carries only the session id, signed with a key kept in the operational store
(itsdangerous); the session row holds the user, its CSRF token, its expiry (idle and
absolute) and the reveals the user asked for. Logout and disabling an account revoke it.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner
from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from recon.review.accounts import Principal, principal_from_row
from recon.warehouse.ops_store import _now, sessions, setting, users

COOKIE = "recon_session"
PRELOGIN_COOKIE = "recon_login_csrf"
IDLE = timedelta(minutes=30)
ABSOLUTE = timedelta(hours=12)
TOUCH_EVERY = timedelta(minutes=1)  # last_seen_at is written at most this often
REVEAL_FOR = timedelta(minutes=10)


@dataclass
class Session:
    session_id: str
    csrf_token: str
    user: Principal
    reveals: dict


class SessionStore:
    def __init__(self, engine: Engine, *, idle: timedelta = IDLE, absolute: timedelta = ABSOLUTE) -> None:
        self.engine = engine
        self.idle = idle
        self.absolute = absolute
        key = setting(engine, "cookie_signing_key", secrets.token_urlsafe(48))
        self.signer = TimestampSigner(key, salt="recon-review-session")
        self.login_signer = TimestampSigner(key, salt="recon-review-login")

    # -- cookie ------------------------------------------------------------------------------------
    def cookie_value(self, session_id: str) -> str:
        return self.signer.sign(session_id).decode()

    def _unsign(self, value: str) -> str | None:
        try:
            return self.signer.unsign(value, max_age=int(self.absolute.total_seconds())).decode()
        except (BadSignature, SignatureExpired):
            return None

    # -- lifecycle ---------------------------------------------------------------------------------
    def create(self, user: Principal, client: str | None) -> tuple[str, str]:
        """A new session for `user`; returns (cookie value, csrf token)."""
        sid = secrets.token_urlsafe(32)
        csrf = secrets.token_urlsafe(32)
        now = _now()
        with self.engine.begin() as con:
            con.execute(
                insert(sessions).values(
                    session_id=sid,
                    user_id=user.user_id,
                    csrf_token=csrf,
                    created_at=now,
                    last_seen_at=now,
                    expires_at=now + self.absolute,
                    revoked=False,
                    client=(client or "")[:64],
                    reveals={},
                )
            )
        return self.cookie_value(sid), csrf

    def load(self, cookie: str | None) -> Session | None:
        """The live session behind a cookie, or None (bad signature, expired, revoked, user disabled)."""
        if not cookie:
            return None
        sid = self._unsign(cookie)
        if not sid:
            return None
        with self.engine.connect() as con:
            row = con.execute(
                select(
                    sessions.c.session_id,
                    sessions.c.csrf_token,
                    sessions.c.last_seen_at,
                    sessions.c.expires_at,
                    sessions.c.revoked,
                    sessions.c.reveals,
                    users.c.user_id,
                    users.c.username,
                    users.c.display_name,
                    users.c.role,
                    users.c.scope,
                    users.c.disabled,
                )
                .join(users, users.c.user_id == sessions.c.user_id)
                .where(sessions.c.session_id == sid)
            ).first()
        if row is None:
            return None
        r = dict(row._mapping)
        now = _now()
        if r["revoked"] or r["disabled"] or r["expires_at"] <= now or r["last_seen_at"] + self.idle <= now:
            return None
        if now - r["last_seen_at"] >= TOUCH_EVERY:
            with self.engine.begin() as con:
                con.execute(update(sessions).where(sessions.c.session_id == sid).values(last_seen_at=now))
        return Session(sid, r["csrf_token"], principal_from_row(r), dict(r["reveals"] or {}))

    def revoke(self, session_id: str) -> None:
        with self.engine.begin() as con:
            con.execute(update(sessions).where(sessions.c.session_id == session_id).values(revoked=True))

    def expire_now(self, session_id: str) -> None:
        """Make a session look idle for longer than allowed (tests of expiry use this)."""
        with self.engine.begin() as con:
            con.execute(
                update(sessions)
                .where(sessions.c.session_id == session_id)
                .values(last_seen_at=_now() - self.idle - timedelta(seconds=1))
            )

    # -- reveals -----------------------------------------------------------------------------------
    def grant_reveal(self, session: Session, flag_id: str) -> None:
        reveals = {k: v for k, v in session.reveals.items() if datetime.fromisoformat(v) > _now()}
        reveals[flag_id] = (_now() + REVEAL_FOR).isoformat()
        with self.engine.begin() as con:
            con.execute(
                update(sessions).where(sessions.c.session_id == session.session_id).values(reveals=reveals)
            )
        session.reveals = reveals

    @staticmethod
    def revealed(session: Session, flag_id: str) -> bool:
        until = session.reveals.get(flag_id)
        return bool(until) and datetime.fromisoformat(until) > _now()

    # -- the login form's CSRF token (there is no session yet) -------------------------------------
    def login_token(self) -> tuple[str, str]:
        """(cookie value, form token) for the login form: double submit, signed."""
        raw = secrets.token_urlsafe(24)
        return self.login_signer.sign(raw).decode(), raw

    def check_login_token(self, cookie: str | None, form_token: str | None) -> bool:
        if not cookie or not form_token:
            return False
        try:
            raw = self.login_signer.unsign(cookie, max_age=3600).decode()
        except (BadSignature, SignatureExpired):
            return False
        return hmac.compare_digest(raw, form_token)


def csrf_ok(session: Session, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(session.csrf_token, token or "")
