"""Reading the retention schedule from disk: the file lives in policies/, the rules stay pure.

``policies.retention.parse_schedule`` checks the schedule from data; this module reads
``policies/retention.yaml`` and hands the data over, as ``adapters.access_policy`` does for
the access policy.
"""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

import policies
from policies.retention import Schedule, ScheduleError, parse_schedule

SCHEDULE_FILE = Path(policies.__file__).with_name("retention.yaml")


@functools.cache
def load_schedule(path: Path = SCHEDULE_FILE) -> Schedule:
    """The retention schedule in ``path`` (default: the shipped ``policies/retention.yaml``)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScheduleError(f"{path.name}: cannot read: {error.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise ScheduleError(f"{path.name}: not valid YAML: {error}") from None
    return parse_schedule(data, path.name)
