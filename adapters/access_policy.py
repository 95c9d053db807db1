"""Reading the access policy from disk: the file lives in policies/, the rules stay pure.

``policies.access.parse_policy`` checks the policy from data; this module reads
``policies/access.yaml`` (once per process and path) and hands the data over, as
``adapters.packs`` does for the rule packs.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

import policies
from policies.access import AccessPolicy, PolicyError, parse_policy

POLICY_FILE = Path(policies.__file__).with_name("access.yaml")


@functools.cache
def load_policy(path: Path = POLICY_FILE) -> AccessPolicy:
    """The access policy in ``path`` (default: the shipped ``policies/access.yaml``)."""
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    if not isinstance(data, dict):
        raise PolicyError(f"{path.name}: expected a mapping")
    return parse_policy(data)
