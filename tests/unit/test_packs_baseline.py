"""Issue 14 §3: one standard, judged once.

An authority rule that covers a national standard says so (``replaces: national:<id>``); the
national baseline judges everything not replaced; ``caseledger packs check`` fails, naming the
rule, when a standard would be judged twice or a national rule is neither applied nor replaced.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from adapters.cli.main import app
from adapters.packs import PACKS_DIR, load_pack, load_packs
from policies.baseline import baseline_problems
from policies.engine import Deadline, Status, evaluate
from policies.rules import PackError
from tests.unit.deadline_helpers import ChildStream, london

PACKS = load_packs()


def only(deadlines: list[Deadline], rule_id: str) -> list[Deadline]:
    return [d for d in deadlines if d.rule_id == rule_id]


def by_pack(deadlines: list[Deadline]) -> set[tuple[str, str]]:
    return {(d.pack, d.rule_id) for d in deadlines}


@pytest.mark.parametrize("pack_id", ["knowsley", "shropshire", "sussex", "wiltshire", "york"])
def test_every_shipped_pack_judges_each_standard_once(pack_id: str) -> None:
    for pack in PACKS.versions[pack_id]:
        for national in PACKS.versions["national"]:
            assert baseline_problems(pack, national) == []
        for rule in pack.rules:  # a national id is only ever reused by the rule replacing it
            if any(rule.id == n.id for n in PACKS.latest("national").rules):
                assert f"national:{rule.id}" in rule.replaces, rule.id


def test_knowsley_placement_planning_meeting_replaces_the_national_placement_plan() -> None:
    # 004 §8: "a Placement Planning Meeting takes place within 5 working days that sets out how
    # the placement will meet the needs of the child" — Knowsley's reading of the CPPCR reg 9
    # placement plan, judged once (it had a rule id of its own, so both were judged before).
    child = ChildStream(authority="knowsley")
    child.add("became_looked_after", "2026-04-02", legal_status="V2", legal_basis="s20")
    child.add("placement_started", "2026-04-02", placement_id="pl-1")
    result = evaluate(child.events, PACKS, london("2026-04-20"))
    assert ("national", "placement_plan") not in by_pack(result)
    (ppm,) = only(result, "placement_planning_meeting")
    # Thursday 2 April + 5 working days (Easter skipped): Monday 13 April
    assert (ppm.pack, ppm.due, ppm.status) == ("knowsley", london("2026-04-13"), Status.BREACHED)


def test_knowsley_health_assessment_request_and_the_statutory_completion_both_apply() -> None:
    # 004 §8: "Initial health assessment will be requested within 5 days" is a different standard
    # from the statutory completion within 20 working days (CPPCR reg 7): both are judged.
    child = ChildStream(authority="knowsley")
    child.add("became_looked_after", "2026-03-02", legal_status="V2", legal_basis="s20")
    child.add("health_assessment_requested", "2026-03-05", assessment="initial")
    result = evaluate(child.events, PACKS, london("2026-04-10"))
    (request,) = only(result, "health_assessment_requested")
    assert (request.pack, request.due, request.status) == (
        "knowsley",
        london("2026-03-07"),
        Status.MET,
    )
    (completion,) = only(result, "health_assessment_initial")
    assert (completion.pack, completion.due, completion.status) == (
        "national",
        london("2026-03-30"),
        Status.BREACHED,
    )


def test_shropshire_adoption_placement_visits_replace_the_national_weekly_visits() -> None:
    # 000 E STANDARDS FOR VISITING — 'Children placed for Adoption': within 5 working days, then
    # weekly until the first review; the national reg 36(4)(a) weekly visits are not judged too.
    child = ChildStream(authority="shropshire")
    child.add("placed_for_adoption", "2026-03-02", placement_id="ad-1")
    result = evaluate(child.events, PACKS, london("2026-03-20"))
    assert ("national", "adoption_placement_visits") not in by_pack(result)
    assert ("shropshire", "adoption_placement_visits_weekly") in by_pack(result)


# -- packs check ------------------------------------------------------------------------------


def _pack_in(tmp_path: Path, pack_id: str, change: Any) -> Path:
    """A copy of a shipped pack (and its inventory) in tmp_path, changed by ``change``."""
    raw = yaml.safe_load((PACKS_DIR / f"{pack_id}.yaml").read_text(encoding="utf-8"))
    change(raw)
    (tmp_path / "inventory").mkdir(exist_ok=True)
    (tmp_path / "inventory" / f"{pack_id}.yaml").write_text(
        (PACKS_DIR / "inventory" / f"{pack_id}.yaml").read_text(encoding="utf-8")
    )
    path = tmp_path / f"{pack_id}.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True, sort_keys=False))
    return path


def _rule(raw: dict[str, Any], rule_id: str) -> dict[str, Any]:
    return next(r for r in raw["rules"] if r["id"] == rule_id)


def test_packs_check_refuses_a_standard_judged_twice(tmp_path: Path) -> None:
    path = _pack_in(
        tmp_path,
        "york",
        lambda raw: _rule(raw, "placement_planning_meeting").pop("replaces"),
    )
    result = CliRunner().invoke(app, ["packs", "check", str(path)])
    assert result.exit_code == 1
    assert "rule 'placement_planning_meeting'" in result.output
    assert "national rule 'placement_plan'" in result.output
    assert "judged twice" in result.output
    assert "replaces: national:placement_plan" in result.output


def test_packs_check_refuses_a_national_rule_neither_applied_nor_replaced(tmp_path: Path) -> None:
    # same id as the national ICPC rule, but no replaces: the engine keeps one row per rule id,
    # so the national ICPC would be dropped without a word
    path = _pack_in(tmp_path, "sussex", lambda raw: _rule(raw, "icpc").pop("replaces"))
    result = CliRunner().invoke(app, ["packs", "check", str(path)])
    assert result.exit_code == 1
    assert "rule 'icpc': national rule 'icpc' is neither applied nor replaced" in result.output


def test_packs_check_refuses_replacing_a_national_rule_that_does_not_exist(tmp_path: Path) -> None:
    def typo(raw: dict[str, Any]) -> None:
        _rule(raw, "care_plan")["replaces"] = ["national:care_plans"]

    result = CliRunner().invoke(app, ["packs", "check", str(_pack_in(tmp_path, "sussex", typo))])
    assert result.exit_code == 1
    assert "rule 'care_plan': replaces national:care_plans" in result.output
    assert "no rule 'care_plans'" in result.output


def test_packs_check_refuses_two_rules_of_a_pack_judging_one_standard(tmp_path: Path) -> None:
    def twice(raw: dict[str, Any]) -> None:
        copy = dict(_rule(raw, "care_plan"), id="care_plan_again", title="Care plan again")
        copy.pop("replaces")
        raw["rules"].append(copy)

    result = CliRunner().invoke(app, ["packs", "check", str(_pack_in(tmp_path, "sussex", twice))])
    assert result.exit_code == 1
    assert "rule 'care_plan_again': judges the same standard as rule 'care_plan'" in result.output
    assert "sussex.care_plan" in result.output
    # York's s47 by day 5 and by 15 working days share a signature but encode two timescales
    assert baseline_problems(PACKS.latest("york"), PACKS.latest("national")) == []


def test_packs_check_passes_every_shipped_pack() -> None:
    result = CliRunner().invoke(app, ["packs", "check"])
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok") == 6


def test_replaces_must_name_a_national_rule(tmp_path: Path) -> None:
    def bad(raw: dict[str, Any]) -> None:
        _rule(raw, "care_plan")["replaces"] = ["york:care_plan"]

    with pytest.raises(PackError) as error:
        load_pack(_pack_in(tmp_path, "sussex", bad))
    assert (error.value.rule, error.value.field) == ("care_plan", "replaces")
    assert "national:<rule id>" in error.value.message


def test_the_engine_judges_what_a_pack_replaces_by_its_replaces_list() -> None:
    # without the replaces, a same-id national rule is still kept out (never two rows of one
    # rule id) — and the packs check above refuses that pack
    child = ChildStream(authority="sussex")
    child.add("strategy_discussion_held", date(2026, 3, 2), decision="section_47")
    result = evaluate(child.events, PACKS, london("2026-03-03"))
    assert [d.pack for d in only(result, "icpc")] == ["sussex"]
