"""Packs load and validate; errors name the file, the rule and the field; the CLI shows them."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.packs import PACKS_DIR, load_pack, load_packs
from policies.rules import PackError

GOOD = {
    "pack": "demo_pack",
    "title": "Demo",
    "source": "demo.txt",
    "version": "1",
    "effective_from": "2020-01-01",
    "rules": [
        {
            "id": "strategy",
            "title": "Strategy",
            "citation": "demo.txt §1",
            "trigger": {"kind": "referral_received"},
            "clock": {"unit": "working_days", "length": 2},
            "satisfied_by": [{"kind": "strategy_discussion_held"}],
        }
    ],
}


def write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def test_every_shipped_pack_loads_and_every_rule_cites_its_source() -> None:
    packs = load_packs()
    assert packs.ids() == ["knowsley", "national", "shropshire", "sussex", "wiltshire", "york"]
    for pack_id in packs.ids():
        pack = packs.latest(pack_id)
        for rule in pack.rules:
            if pack_id == "national":
                assert any(
                    w in rule.citation
                    for w in ("Regulations", "Act", "guidance", "Working Together")
                )
            else:
                assert rule.citation.startswith(pack.source), (pack_id, rule.id)
    assert (PACKS_DIR / "README.md").exists()


@pytest.mark.parametrize(
    ("change", "rule", "field", "message"),
    [
        (
            lambda r: r["trigger"].update(kind="referal_received"),
            "strategy",
            "trigger.kind",
            "unknown event kind",
        ),
        (
            lambda r: r["clock"].update(unit="fortnights"),
            "strategy",
            "clock.unit",
            "Input should be",
        ),
        (
            lambda r: r["satisfied_by"][0].update(where={"colour": "red"}),
            "strategy",
            "satisfied_by.0",
            "no field 'colour'",
        ),
        (lambda r: r.pop("satisfied_by"), "strategy", None, "needs satisfied_by"),
        (
            lambda r: r["satisfied_by"].append({"kind": "deadline_breached"}),
            "strategy",
            "satisfied_by.1.kind",
            "standards event",
        ),
    ],
)
def test_errors_name_file_rule_and_field(
    tmp_path: Path, change: object, rule: str, field: str | None, message: str
) -> None:
    data = yaml.safe_load(yaml.safe_dump(GOOD))
    change(data["rules"][0])  # type: ignore[operator]
    with pytest.raises(PackError) as caught:
        load_pack(write(tmp_path, data))
    error = caught.value
    assert error.file == "demo.yaml" and error.rule == rule and error.field == field
    assert message in error.message


def test_packs_check_command(tmp_path: Path) -> None:
    runner = CliRunner()
    ok = runner.invoke(app, ["packs", "check", str(write(tmp_path, GOOD))])
    assert ok.exit_code == 0 and "1 rules" in ok.output
    bad = yaml.safe_load(yaml.safe_dump(GOOD))
    bad["rules"][0]["clock"]["length"] = -3
    result = runner.invoke(app, ["packs", "check", str(write(tmp_path, bad))])
    assert result.exit_code == 1
    assert "demo.yaml: rule 'strategy': field 'clock.length'" in result.output


def test_version_in_force_is_chosen_by_trigger_date(tmp_path: Path) -> None:
    from datetime import date

    from policies.rules import PackSet, parse_pack

    old = parse_pack(GOOD, "a.yaml")
    newer = dict(GOOD, version="2", effective_from="2026-04-05")
    newer["rules"] = [dict(GOOD["rules"][0], clock={"unit": "working_days", "length": 5})]  # type: ignore[index]
    packs = PackSet.of([old, parse_pack(newer, "b.yaml")])
    assert packs.in_force("demo_pack", date(2026, 4, 2)).version == "1"
    assert packs.in_force("demo_pack", date(2026, 4, 5)).version == "2"
