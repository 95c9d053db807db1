"""Sign-in, accounts, grants and the access log: the record's door, lock and visitors' book.

- :mod:`adapters.auth.tables` the store tables (accounts, grants, access log) on either engine;
- :mod:`adapters.auth.accounts` local accounts (argon2 hashes) and grants;
- :mod:`adapters.auth.access_log` the append-only, hash-chained log of every read of a record;
- :mod:`adapters.auth.tokens` short-lived bearer tokens for local accounts (PyJWT);
- :mod:`adapters.auth.oidc` single sign-on: a provider's JWTs checked against its JWKS;
- :mod:`adapters.auth.guard` the one place CLI and HTTP ask the policy and write the log.
"""
