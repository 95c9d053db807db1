"""Single sign-on: bearer JWTs from an OpenID Connect provider, checked against its JWKS.

Configuration (YAML, named by ``$CASELEDGER_OIDC_CONFIG``)::

    issuer: https://login.microsoftonline.com/<tenant-id>/v2.0
    audience: api://caseledger            # the app registration's Application ID URI
    jwks_url: https://login.microsoftonline.com/<tenant-id>/discovery/v2.0/keys
    user_claim: preferred_username        # the claim whose value is the record's user id
    groups_claim: groups
    algorithms: [RS256]
    groups:                               # first match wins, in this order
      "2b6f...-group-object-id": {role: team_manager, team: north}
      "9c1e...-group-object-id": {role: social_worker, team: north}

PyJWT checks the signature with the key the token's ``kid`` names in the JWKS
(``PyJWKClient``, cached), and ``iss``, ``aud``, ``exp`` and ``nbf``. Only asymmetric
algorithms are accepted: ``alg: none`` is refused, and so is an HMAC token signed with the
provider's public key (the classic key-confusion attack), because HS* is never in the list.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import yaml

from adapters.access_policy import load_policy
from adapters.auth.accounts import NAME
from domain.access import Principal

ASYMMETRIC = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")


class OidcError(ValueError):
    """The token is refused (401) or maps to no role (403: ``forbidden``)."""

    def __init__(self, message: str, *, forbidden: bool = False) -> None:
        super().__init__(message)
        self.forbidden = forbidden


@dataclass(frozen=True)
class GroupRole:
    role: str
    team: str | None = None


@dataclass
class OidcConfig:
    issuer: str
    audience: str
    jwks_url: str
    user_claim: str = "preferred_username"
    groups_claim: str = "groups"
    algorithms: tuple[str, ...] = ("RS256",)
    groups: dict[str, GroupRole] = field(default_factory=dict)
    leeway_seconds: int = 30
    web: dict[str, Any] | None = None
    """The web app's sign-in client (:mod:`adapters.web.sso`), when it has one."""

    def __post_init__(self) -> None:
        bad = [a for a in self.algorithms if a not in ASYMMETRIC]
        if bad:
            raise ValueError(
                f"algorithms: {', '.join(bad)} refused; only asymmetric ones ({', '.join(ASYMMETRIC)})"
            )
        roles = load_policy().account_roles
        for group, mapped in self.groups.items():
            if mapped.role not in roles:
                raise ValueError(
                    f"groups.{group}.role {mapped.role!r}: not one of {', '.join(roles)}"
                )
        self._client = jwt.PyJWKClient(self.jwks_url, cache_keys=True, lifespan=300)

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> OidcConfig:
        for key in ("issuer", "audience", "jwks_url"):
            if not data.get(key):
                raise ValueError(f"single sign-on configuration: {key} is required")
        groups = {
            str(name): GroupRole(role=str(v["role"]), team=v.get("team"))
            for name, v in (data.get("groups") or {}).items()
        }
        return cls(
            issuer=str(data["issuer"]),
            audience=str(data["audience"]),
            jwks_url=str(data["jwks_url"]),
            user_claim=str(data.get("user_claim", "preferred_username")),
            groups_claim=str(data.get("groups_claim", "groups")),
            algorithms=tuple(data.get("algorithms") or ("RS256",)),
            groups=groups,
            leeway_seconds=int(data.get("leeway_seconds", 30)),
            web=data.get("web") if isinstance(data.get("web"), dict) else None,
        )

    @classmethod
    def from_environment(cls) -> OidcConfig | None:
        path = os.environ.get("CASELEDGER_OIDC_CONFIG")
        if not path:
            return None
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping")
        return cls.from_data(data)

    def principal(self, token: str) -> Principal:
        """The identity a valid token carries, mapped to a role and team by its groups."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise OidcError("the token is not a JWT") from None
        if header.get("alg") not in self.algorithms:
            raise OidcError(f"the token's algorithm {header.get('alg')!r} is not accepted")
        try:
            key = self._client.get_signing_key_from_jwt(token)
            claims = jwt.decode(
                token,
                key.key,
                algorithms=list(self.algorithms),
                audience=self.audience,
                issuer=self.issuer,
                leeway=self.leeway_seconds,
                options={"require": ["exp", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError:
            raise OidcError("the token has expired") from None
        except jwt.InvalidAudienceError:
            raise OidcError("the token is for another audience") from None
        except jwt.InvalidIssuerError:
            raise OidcError("the token is from another issuer") from None
        except jwt.ImmatureSignatureError:
            raise OidcError("the token is not valid yet") from None
        except jwt.PyJWKClientError as error:
            raise OidcError(f"the token's key is not in the issuer's JWKS ({error})") from None
        except jwt.PyJWTError as error:
            raise OidcError(f"the token is not valid ({type(error).__name__})") from None
        user = claims.get(self.user_claim)
        if not isinstance(user, str) or not NAME.match(user):
            raise OidcError(f"the token's {self.user_claim} claim is not a usable user id")
        groups = claims.get(self.groups_claim) or []
        if not isinstance(groups, list):
            groups = [groups]
        for group, mapped in self.groups.items():
            if group in groups:
                return Principal(user_id=user, role=mapped.role, team=mapped.team, source="oidc")
        raise OidcError("none of your groups has a caseledger role", forbidden=True)
