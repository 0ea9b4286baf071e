"""Credentials the mock issues and verifies: signed JWTs, personal access tokens, key pairs.

Every credential is derived from the server secret, so `crm-mock token` in another process prints
one that a server started with the same secret accepts, and several workers agree without sharing state.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any

import jwt

from crmspec.model import Auth, Operation
from mock_server.errors import Forbidden, Unauthorized

EXPIRED_AGE = 7200  # an --expired credential ran out two hours ago
VERIFIED_CACHE_SIZE = 4096  # distinct valid tokens remembered per process


@dataclass(frozen=True, slots=True)
class Principal:
    subject: str
    roles: tuple[str, ...]
    user_id: Any = None


def _sign(secret: str, message: str) -> str:
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


def _same(given: str, expected: str) -> bool:
    """Constant-time equality of a credential part as sent. On bytes: compare_digest refuses str with
    non-ASCII characters (a TypeError, so a 500, for any header holding an 'é')."""
    return hmac.compare_digest(given.encode("utf-8", "surrogatepass"), expected.encode("utf-8", "surrogatepass"))


def _key_expiry(access: str) -> int | None:
    """The expiry of a well-formed access key `ysk_<hex expiry>_<mac>`, else None (at most 16 hex digits:
    a longer one would only be an int too large to print)."""
    parts = access.split("_")
    if len(parts) != 3 or parts[0] != "ysk" or not 0 < len(parts[1]) <= 16:
        return None
    if not all(c in "0123456789abcdef" for c in parts[1]):
        return None
    return int(parts[1], 16)


def _quotable(text: str) -> str:
    """`text` as an RFC 6750 quoted value may hold it: printable ASCII without `"` and `\\`."""
    return "".join(c for c in text if " " <= c <= "~" and c not in '"\\')


class Credentials:
    def __init__(self, auth: Auth, secret: str, realm: str = "api") -> None:
        self.auth = auth
        self.secret = secret
        self.realm = realm  # the protection space a bearer challenge names (the API's title)
        self._verified: dict[str, tuple[Principal, float, float]] = {}

    def challenge(self, refused: str | None = None) -> dict[str, str]:
        """The `WWW-Authenticate` header of a 401 (RFC 6750 section 3) for a bearer scheme (JWTs and personal
        access tokens): the realm, and `error="invalid_token"` with the reason when a token was sent and
        refused. A key pair travels in the API's own headers, not in an HTTP authentication scheme: no
        challenge can name it, so it gets none."""
        if self.auth.scheme == "key_pair":
            return {}
        value = f'Bearer realm="{_quotable(self.realm)}"'
        if refused is not None:
            value += f', error="invalid_token", error_description="{_quotable(refused)}"'
        return {"WWW-Authenticate": value}

    # issuing -----------------------------------------------------------------------------------
    def issue(self, role: str | None = None, *, expired: bool = False, subject: str = "1",
              user_id: Any = None, roles: tuple[str, ...] | list[str] | None = None) -> str:
        role = role if role is not None else (roles[0] if roles else self.auth.default_role)
        now = int(time.time())
        expires = now - EXPIRED_AGE if expired else now + self.auth.lifetime_seconds
        if self.auth.scheme == "jwt":
            claim: Any = (list(roles) if roles else [role]) if self.auth.role_claim == "roles" else role
            issued = expires - self.auth.lifetime_seconds
            payload: dict[str, Any] = {"sub": subject, self.auth.role_claim: claim, "iat": issued, "exp": expires}
            if user_id is not None:
                payload["uid"] = user_id
            if self.auth.issuer:
                payload["iss"] = self.auth.issuer
            if self.auth.audience:
                payload["aud"] = self.auth.audience
            return jwt.encode(payload, self.secret, algorithm="HS256")
        if self.auth.scheme == "token":
            # Sanctum's shape, "<id>|<plaintext>": the id names the role, the plaintext carries expiry + MAC
            index = self.auth.roles.index(role) + 1 if role in self.auth.roles else 1
            body = f"{index}.{expires:x}"
            return f"{index}|{expires:x}{_sign(self.secret, 'pat:' + body)[:40]}"
        access = f"ysk_{expires:x}_{_sign(self.secret, 'access:' + str(expires))[:16]}"
        return f"{access}:{_sign(self.secret, 'secret:' + access)[:40]}"

    # verifying ---------------------------------------------------------------------------------
    def verify(self, headers: Any) -> Principal:
        if self.auth.scheme == "key_pair":
            return self._verify_key_pair(headers)
        header = headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if not header:
            raise Unauthorized("Unauthenticated: no credential was sent.", headers=self.challenge())
        if scheme.lower() != "bearer" or not token.strip():
            # no bearer token (another scheme, or none after the word): RFC 6750 3.1 asks for no error code
            raise Unauthorized("Unauthenticated: the Authorization header must be 'Bearer <token>'.",
                               headers=self.challenge())
        token = token.strip()
        try:
            return self._verify_jwt(token) if self.auth.scheme == "jwt" else self._verify_pat(token)
        except Unauthorized as refused:
            refused.headers = {**refused.headers, **self.challenge(refused.message)}
            raise

    def _verify_jwt(self, token: str) -> Principal:
        # Verifying a signature costs more than the rest of a request; the same string under the same
        # secret always verifies the same way, so a verified token is remembered (expiry and nbf are
        # still checked on every use; only valid tokens are kept, so forgeries cannot fill the cache).
        cached = self._verified.get(token)
        if cached is not None:
            principal, not_before, expires = cached
            now = time.time()
            if now >= expires:
                self._verified.pop(token, None)
                raise Unauthorized("The token has expired.", code="TOKEN_EXPIRED")
            if now >= not_before:
                return principal
        principal, not_before, expires = self._decode_jwt(token)
        if len(self._verified) >= VERIFIED_CACHE_SIZE:
            self._verified.clear()
        self._verified[token] = (principal, not_before, expires)
        return principal

    def _decode_jwt(self, token: str) -> tuple[Principal, float, float]:
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                audience=self.auth.audience,
                issuer=self.auth.issuer,
                options={"require": ["exp", "sub", self.auth.role_claim]},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthorized("The token has expired.", code="TOKEN_EXPIRED") from None
        except jwt.PyJWTError:
            raise Unauthorized("The token is invalid.", code="INVALID_TOKEN") from None
        raw_roles = claims[self.auth.role_claim]
        roles = tuple(raw_roles) if isinstance(raw_roles, list) else (str(raw_roles),)
        principal = Principal(subject=str(claims["sub"]), roles=roles, user_id=claims.get("uid", claims["sub"]))
        return principal, float(claims.get("nbf", 0)), float(claims["exp"])

    def _verify_pat(self, token: str) -> Principal:
        index, _, plain = token.partition("|")
        if not index.isdigit() or len(plain) < 41:
            raise Unauthorized("Unauthenticated.")
        expires_hex, mac = plain[:-40], plain[-40:]
        if not _same(mac, _sign(self.secret, f"pat:{index}.{expires_hex}")[:40]):
            raise Unauthorized("Unauthenticated.")
        if int(expires_hex, 16) < time.time():
            raise Unauthorized("Unauthenticated: the token has expired.")
        position = int(index) - 1
        role = self.auth.roles[position] if 0 <= position < len(self.auth.roles) else ""
        return Principal(subject=index, roles=(role,))

    def _verify_key_pair(self, headers: Any) -> Principal:
        access = headers.get(self.auth.access_header or "", "")
        secret = headers.get(self.auth.secret_header or "", "")
        if not access or not secret:
            raise Unauthorized("Invalid API credentials.")
        expires = _key_expiry(access)
        mac = access.rsplit("_", 1)[-1]
        # both keys are always compared, in constant time, even a malformed access key (against the MAC of
        # expiry 0): the time taken does not tell which key was wrong, nor how
        access_ok = _same(mac, _sign(self.secret, f"access:{expires or 0}")[:16])
        secret_ok = _same(secret, _sign(self.secret, "secret:" + access)[:40])
        if expires is None or not (access_ok and secret_ok):
            raise Unauthorized("Invalid API credentials.")
        if expires < time.time():
            raise Unauthorized("Invalid API credentials: the key has expired.")
        return Principal(subject=mac, roles=())

    def authorize(self, principal: Principal, operation: Operation) -> None:
        required = operation.roles or ()
        if not required:
            return
        held = set(principal.roles)
        allowed = held.issuperset(required) if self.auth.roles_match == "all" else bool(held & set(required))
        if not allowed:
            raise Forbidden("This action is unauthorized: your role may not call this operation.")
