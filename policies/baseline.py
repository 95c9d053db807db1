"""One standard, judged once: an authority pack against the national baseline.

Each authority's pack is judged together with the national baseline (policies/engine.py): a
national rule judges the authority's children unless an authority rule says it replaces it
(``replaces: national:<rule id>``). :func:`baseline_problems` finds what would make a standard
judged twice, or a national rule silently dropped:

- a ``replaces`` naming no national rule;
- an authority rule with a national rule's id that does not say it replaces it: the engine
  skips the national rule (two rules of one id would give two rows of one ``rule_id``), so it
  is neither applied nor replaced;
- an authority rule and a national rule (not replaced) that judge the same standard: the same
  trigger (kinds or birthday, conditions, age band, counted the same way) met by the same
  events (or both measuring the trigger's own recording), whatever the clock says — the
  clocks differ by authority, which is why the packs exist.

- two rules of one pack that judge the same standard for the same inventoried timescale.

``caseledger packs check`` fails on any of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from policies.rules import NATIONAL, EventMatch, Measures, Pack, Rule

__all__ = ["BaselineProblem", "baseline_problems", "same_standard", "twice_in_pack"]


@dataclass(frozen=True)
class BaselineProblem:
    """One problem: the authority rule it is about and what is wrong."""

    pack: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.pack}: rule {self.rule!r}: {self.message}"


def twice_in_pack(pack: Pack) -> list[BaselineProblem]:
    """Two rules of one pack judging the same standard for the same inventoried timescale (the
    same trigger met by the same events, encoding one seed sentence): judged twice. Two rules
    with one signature for different timescales are two standards (a s47 enquiry by day 5
    and by 15 working days, York 6.3 and Standard 4)."""
    problems: list[BaselineProblem] = []
    for index, rule in enumerate(pack.rules):
        for other in pack.rules[index + 1 :]:
            shared = sorted(set(rule.inventory) & set(other.inventory))
            if shared and same_standard(rule, other):
                problems.append(
                    BaselineProblem(
                        pack.pack,
                        other.id,
                        f"judges the same standard as rule {rule.id!r} (both encode "
                        f"{', '.join(shared)}, on the same trigger met by the same events): one "
                        "standard judged twice",
                    )
                )
    return problems


def baseline_problems(pack: Pack, national: Pack) -> list[BaselineProblem]:
    """What in ``pack`` would judge a standard twice, or drop a national rule unreplaced."""
    if pack.pack == NATIONAL:
        return twice_in_pack(pack)
    problems = twice_in_pack(pack)
    national_ids = {rule.id for rule in national.rules}
    replaced: set[str] = set()
    for rule in pack.rules:
        for national_id in sorted(rule.replaced()):
            if national_id not in national_ids:
                problems.append(
                    BaselineProblem(
                        pack.pack,
                        rule.id,
                        f"replaces national:{national_id}, but the national baseline has no "
                        f"rule {national_id!r}",
                    )
                )
            replaced.add(national_id)
    for baseline in national.rules:
        if baseline.id in replaced:
            continue
        for rule in pack.rules:
            if rule.id == baseline.id:
                problems.append(
                    BaselineProblem(
                        pack.pack,
                        rule.id,
                        f"national rule {baseline.id!r} is neither applied nor replaced: this "
                        f"rule has its id but does not say `replaces: national:{baseline.id}` "
                        "(say so, or give the rule an id of its own)",
                    )
                )
            elif same_standard(rule, baseline):
                problems.append(
                    BaselineProblem(
                        pack.pack,
                        rule.id,
                        f"judges the same standard as national rule {baseline.id!r} "
                        f"({baseline.trigger.describe()} met by {_met_by(baseline)}), which "
                        f"still applies: one standard judged twice; add "
                        f"`replaces: national:{baseline.id}`",
                    )
                )
    return problems


def same_standard(a: Rule, b: Rule) -> bool:
    """Whether two rules judge the same standard: the same trigger (kinds, conditions, age
    band, counted the same way) met by the same events (kinds and their conditions), or both
    measuring the trigger's own recording. Rules that differ in any of these judge different
    duties (a CMH by week 12 and a final hearing by week 26 both count from the issue)."""
    if a.measures is not b.measures or _trigger_key(a) != _trigger_key(b):
        return False
    return _matches_key(a.satisfied_by) == _matches_key(b.satisfied_by)


def _trigger_key(rule: Rule) -> tuple[object, ...]:
    t = rule.trigger
    return (
        frozenset(t.kinds()),
        t.birthday,
        t.birthday_months,
        _condition_key(t.where),
        _condition_key(t.where_not),
        t.anchor,
        t.anchor_child,
        t.direction,
        frozenset(t.while_status),
        t.age_under,
        t.age_at_least,
        rule.from_birthday,
    )


def _matches_key(matches: Iterable[EventMatch]) -> frozenset[tuple[object, ...]]:
    return frozenset(
        (m.kind, _condition_key(m.where), _condition_key(m.where_not), _condition_key(m.covers))
        for m in matches
    )


def _condition_key(condition: Mapping[str, object]) -> frozenset[tuple[str, object]]:
    return frozenset((name, _frozen(value)) for name, value in condition.items())


def _frozen(value: object) -> object:
    if isinstance(value, list):
        return frozenset(_frozen(v) for v in value)
    return value


def _met_by(rule: Rule) -> str:
    if rule.measures is Measures.RECORDING_DELAY:
        return "its own recording"
    return ", ".join(_kinds(rule.satisfied_by))


def _kinds(matches: Iterable[EventMatch]) -> list[str]:
    return list(dict.fromkeys(m.kind for m in matches))
