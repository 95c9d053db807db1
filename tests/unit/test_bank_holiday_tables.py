"""The calendar's bank holidays, loaded without the holidays package's other countries."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
from policies import calendar
ours = {b: calendar._bank_holidays_in_block(b) for b in range(187, 211)}
alone = 'holidays.countries' not in sys.modules
import holidays
import holidays.countries
theirs = {
    b: frozenset(holidays.country_holidays('GB', subdiv='ENG', years=range(b * 10, b * 10 + 10)))
    for b in range(187, 211)
}
assert holidays.countries.UnitedKingdom is calendar._united_kingdom()
print(alone, ours == theirs, sum(len(v) for v in ours.values()))
"""


def test_the_tables_are_the_registrys_from_1870_to_2109_without_importing_every_country() -> None:
    out = subprocess.run(
        [sys.executable, "-c", CODE], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out[:2] == ["True", "True"]
    assert int(out[2]) > 1500  # about 8 a year over 240 years (none before 1872)
