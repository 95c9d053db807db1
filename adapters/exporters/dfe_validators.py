"""Run the DfE-rule validators local authorities use on our returns, through their Python APIs.

- CIN census: ``csc-validator-be-cin`` (``cin_validator``), ruleset ``cin2025_26``;
- SSDA903: ``csc-validator-be-903`` (``lac_validator``), ``get_year_ruleset(year)``.

Their command lines hard-code other years, so we call them directly. Both packages
are development dependencies; importing this module without them raises ImportError
with the package to install.

Each check returns a :class:`ValidationResult`: the child-level issues (one row per
child, rule and field), return-level issues (no child), and rules that crashed on the
data (a crash hides whatever the rule would have found, so it counts as a failure).
"""

from __future__ import annotations

import contextlib
import io
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CIN_RULESET = "cin2025_26"


@dataclass
class Issue:
    child_id: str
    rule_code: str
    table: str
    field: str
    description: str


@dataclass
class ValidationResult:
    child_issues: list[Issue] = field(default_factory=list)
    return_issues: list[tuple[str, str]] = field(default_factory=list)
    crashed_rules: list[str] = field(default_factory=list)

    def errors(self, *, queries: bool = True) -> list[Issue]:
        """Child-level issues; with ``queries=False`` only ERRORs, not Q (query) rules."""
        return [i for i in self.child_issues if queries or not i.rule_code.endswith("Q")]

    def codes(self) -> set[str]:
        return {i.rule_code for i in self.child_issues}

    def summary(self, limit: int = 20) -> str:
        lines = [
            f"{i.child_id}: {i.rule_code} {i.table}.{i.field} — {i.description[:120]}"
            for i in self.child_issues[:limit]
        ]
        if self.crashed_rules:
            lines.append(f"rules that crashed: {', '.join(self.crashed_rules)}")
        return "\n".join(lines)


def validate_cin(xml: bytes, ruleset: str = CIN_RULESET) -> ValidationResult:
    """Validate a CIN census XML document with the DfE CIN rules."""
    import importlib
    import xml.etree.ElementTree as ET

    try:
        from cin_validator import cin_validator
    except ImportError as error:  # pragma: no cover - dev dependency
        raise ImportError("pip install csc-validator-be-cin to validate CIN returns") from error

    root = ET.fromstring(xml)
    data = cin_validator.process_data(cin_validator.convert_data(root))
    registry = importlib.import_module(f"cin_validator.rules.{ruleset}").registry
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):  # the validator prints rule crashes
        validator = cin_validator.CinValidator(data, registry)
    result = ValidationResult()
    for line in printed.getvalue().splitlines():
        if line.startswith("Error with rule "):
            result.crashed_rules.append(line[len("Error with rule ") :].split(":")[0])
    issues = validator.full_issue_df
    for row in issues.itertuples(index=False):
        result.child_issues.append(
            Issue(
                child_id=str(getattr(row, "child_id", "")),
                rule_code=str(row.rule_code),
                table=str(row.tables_affected),
                field=str(row.columns_affected),
                description=str(row.rule_description),
            )
        )
    for row in validator.multichild_issues.itertuples(index=False):
        result.return_issues.append((str(row.rule_code), str(row.rule_description)))
    return result


LA_CODES = {
    "370": "E08000016",  # Barnsley
    "816": "E06000014",  # York
    "893": "E06000051",  # Shropshire
    "865": "E06000054",  # Wiltshire
    "846": "E06000043",  # Brighton and Hove
    "340": "E08000011",  # Knowsley
}
"""DfE three-digit LA code -> ONS code, for the 903 validator's metadata."""

KNOWN_CRASHING_903_RULES = frozenset({"231", "233"})
"""903 rules that crash on any CSV upload in csc-validator-be-903 0.1.17: they read
columns only the XML reader makes (UASC_STATUS, DATE_EPISODE_CEASED)."""


def validate_903(
    files: dict[str, bytes], year: str = "2026", la_ons: str = "E06000014"
) -> ValidationResult:
    """Validate SSDA903 CSVs (name -> bytes, e.g. {"header.csv": b"..."}) with the DfE rules."""
    try:
        from lac_validator import lac_validator
        from lac_validator.report import Report
        from lac_validator.rules.ruleset_utils import get_year_ruleset
    except ImportError as error:  # pragma: no cover - dev dependency
        raise ImportError("pip install csc-validator-be-903 to validate SSDA903 returns") from error

    header = files.get("header.csv", b"")
    if header.count(b"\n") <= 1:
        return ValidationResult()  # no children: nothing for the rules to read
    uploads: list[Any] = [
        {"name": name, "file_content": content, "description": "This year"}
        for name, content in files.items()
    ]
    registry = get_year_ruleset(year)
    quiet = logging.getLogger("lac_validator")
    level = quiet.level
    quiet.setLevel(logging.CRITICAL + 1)  # rule crashes are collected, not printed
    printed = io.StringIO()
    try:
        with contextlib.redirect_stdout(printed):
            validator = lac_validator.LacValidator(
                metadata={"collectionYear": year, "localAuthority": la_ons},
                files=uploads,
                registry=registry,
            )
            report = Report(validator.ds_results, registry)
    finally:
        quiet.setLevel(level)
    result = ValidationResult(crashed_rules=sorted(str(c) for c in validator.fails))
    if not any(c.startswith("ERR_") for c in report.report.columns):
        return result  # create_issue_df raises ValueError when there are no issues
    issues = lac_validator.create_issue_df(report.report, report.error_report)
    for row in issues.itertuples(index=False):
        result.child_issues.append(
            Issue(
                child_id=str(row.child_id),
                rule_code=str(row.rule_code),
                table=str(row.tables_affected),
                field=str(row.columns_affected),
                description=str(row.rule_description),
            )
        )
    return result


def read_903_dir(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.csv"))}
