"""Plain English for the chronology: code values as words, sentences without repeats.

A court reads the chronology as it stands, so no entry shows a raw code or enum value
("icpc", "PHY", "C1"), repeats its title ("Section 47 enquiry started. Section 47 enquiry
started."), or doubles punctuation ("within 15 working days.."). The event classes keep their
codes (the returns need them); this module is the one place that says them in words.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from datetime import date
from enum import Enum

from domain.codes import (
    ChildProtectionCategory,
    ClosureReason,
    LegalStatus,
    ReasonEpisodeCeased,
    ReasonPlacementChange,
    Section47Outcome,
)
from domain.events.cwsa2026 import SharingDecision
from domain.events.safeguarding import ConferenceDecision, StrategyDecision

WORDS: dict[Enum, str] = {
    StrategyDecision.SECTION_47: "Section 47 enquiry",
    StrategyDecision.FURTHER_STRATEGY: "Further strategy discussion",
    Section47Outcome.INITIAL_CONFERENCE: "Initial child protection conference",
    ConferenceDecision.CONTINUE_PLAN: "Continue the child protection plan",
    ConferenceDecision.END_PLAN: "End the child protection plan",
    ChildProtectionCategory.PHYSICAL: "Physical abuse",
    ChildProtectionCategory.SEXUAL: "Sexual abuse",
    ChildProtectionCategory.EMOTIONAL: "Emotional abuse",
    ChildProtectionCategory.MULTIPLE: "Multiple categories",
    LegalStatus.REMAND_LA_ACCOMMODATION: "Remanded to local authority accommodation",
    LegalStatus.PACE_TRANSFER: "Detained under PACE in local authority accommodation",
    LegalStatus.SENTENCED_SUPERVISION_RESIDENCE: (
        "Sentenced to a supervision order with a residence requirement"
    ),
    LegalStatus.SECTION_20_SINGLE_PERIOD: "Accommodated under section 20",
    LegalStatus.SHORT_BREAK_SINGLE: "A single short break under section 20",
    LegalStatus.SHORT_BREAK_SERIES: "A series of short breaks under section 20",
    ReasonPlacementChange.APPROVAL_REMOVED: "Carer's approval removed",
    ReasonPlacementChange.ALLEGATION: "Allegation against the carer",
    ReasonPlacementChange.CARER_REQUESTED_BEHAVIOUR: "Carer asked for it to end: behaviour",
    ReasonPlacementChange.CARER_REQUESTED_OTHER: "Carer asked for it to end: other reasons",
    ReasonPlacementChange.CHILD_REQUESTED: "The child asked to move",
    ReasonPlacementChange.CARE_PLAN_CHANGE: "A change to the care plan",
    ReasonPlacementChange.LA_REQUESTED: "The local authority asked for a move",
    ReasonPlacementChange.STANDARDS_CONCERN: "Concern about the standard of care",
    ReasonPlacementChange.CUSTODY: "The child was taken into custody",
    ReasonPlacementChange.CHANGE_IN_PLACEMENT_STATUS_ONLY: "A change of placement status only",
    ReasonEpisodeCeased.ADOPTED_APPLICATION_UNOPPOSED: "Adopted (application unopposed)",
    ReasonEpisodeCeased.ADOPTED_APPLICATION_OPPOSED: "Adopted (application opposed)",
    ReasonEpisodeCeased.LEFT_CARE_TO_LIVE_WITH_NON_PR_PERSON: (
        "Left care to live with a person without parental responsibility"
    ),
    ReasonEpisodeCeased.AGE_ASSESSED_OVER_18: "Age assessed as 18 or over",
    ReasonEpisodeCeased.AGED_18_REMAINED_WITH_CURRENT_CARERS: "Aged 18, stayed with the carers",
    ReasonEpisodeCeased.CARE_TAKEN_BY_ANOTHER_LA: "Care taken over by another local authority",
    ReasonEpisodeCeased.RETURNED_HOME_PART_OF_PLAN: "Returned home as part of the care plan",
    ReasonEpisodeCeased.RETURNED_HOME_NOT_PART_OF_PLAN: (
        "Returned home, not as part of the care plan"
    ),
    ReasonEpisodeCeased.SGO_FORMER_FOSTER_CARERS_RELATIVE: (
        "Special guardianship order to former foster carers who are relatives or friends"
    ),
    ReasonEpisodeCeased.SGO_FORMER_FOSTER_CARERS_OTHER: (
        "Special guardianship order to other former foster carers"
    ),
    ReasonEpisodeCeased.SGO_OTHER_CARERS_RELATIVE: (
        "Special guardianship order to carers who are relatives or friends"
    ),
    ReasonEpisodeCeased.SGO_OTHER_CARERS_OTHER: "Special guardianship order to other carers",
    ReasonEpisodeCeased.MOVED_TO_INDEPENDENT_LIVING_SUPPORTED: "Moved to supported living",
    ReasonEpisodeCeased.MOVED_TO_INDEPENDENT_LIVING_NOT_SUPPORTED: (
        "Moved to independent living without formal support"
    ),
    ReasonEpisodeCeased.PERIOD_OF_CARE_ENDED_OTHER: "The period of care ended for another reason",
    ReasonEpisodeCeased.EPISODE_CEASED_CARE_CONTINUES: "Episode ended; care continues",
    ClosureReason.CHILD_ARRANGEMENT_ORDER: "Child arrangements order",
    ClosureReason.TRANSFERRED_TO_OTHER_LA: "Transferred to another local authority",
    ClosureReason.SERVICES_CEASED_OTHER: "Services ended for another reason",
    ClosureReason.CASE_CLOSED_AFTER_ASSESSMENT_NO_FURTHER_ACTION: (
        "Closed after assessment: no further action"
    ),
    ClosureReason.CASE_CLOSED_AFTER_ASSESSMENT_REFERRED_TO_EARLY_HELP: (
        "Closed after assessment: referred to early help"
    ),
    SharingDecision.NOT_SHARED_MORE_DETRIMENTAL: (
        "Not shared: sharing would be more detrimental to the child than not sharing"
    ),
}
"""Code values whose member name does not read as English; the rest read from their name."""

FIELD_LABELS: dict[str, str] = {
    "next_hearing_on": "Next hearing",
    "agreed_new_date": "New date agreed",
    "actions": "Actions agreed",
    "significant": "In the chronology",
    "occurred_at": "Date",
    "impact_on_child": "Impact on the child",
}
"""Field labels other than the field name in words (outcomes, and corrected fields)."""

_UPPER_WORDS = {"la": "local authority", "sgo": "special guardianship order", "pace": "PACE"}


@functools.lru_cache(maxsize=1024, typed=True)
def enum_words(value: Enum) -> str:
    """A code value in words: never the raw code.

    Remembered (the code lists are finite); ``typed``, because two string-valued codes of
    different lists with the same value are equal and hash alike, yet read differently.
    """
    words = WORDS.get(value)
    if words is not None:
        return words
    parts = [_UPPER_WORDS.get(w, w) for w in value.name.lower().split("_")]
    text = " ".join(parts)
    return text[:1].upper() + text[1:]


def day_words(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def value_words(value: object) -> str:
    if isinstance(value, Enum):
        return enum_words(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, date):
        return day_words(value)
    if isinstance(value, list | tuple):
        return ", ".join(value_words(v) for v in value)
    return str(value).strip()


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name) or name.replace("_", " ").capitalize()


_END = re.compile(r"[\s.;,:]+$")
_DOTS = re.compile(r"\.{2,}$")
_TRAILING = frozenset(".;,:")
"""The closing characters ``_END`` strips (besides white space, which ``strip`` removed)."""


def sentence(text: str) -> str:
    """``text`` as one sentence: its own closing punctuation kept, else a full stop added."""
    text = text.strip()
    if not text:
        return ""
    # the regular expressions only where they can change something (this runs for every
    # sentence of every entry a rebuild renders): most texts end in a letter or one "."
    last = text[-1]
    if last in "!?":
        return text
    if last == ".":
        return _DOTS.sub(".", text) if text.endswith("..") else text
    if last not in _TRAILING:
        return text + "."
    return _END.sub("", text) + "."


def join_sentences(parts: list[str]) -> str:
    joined = [s for s in map(sentence, parts) if s]
    return " ".join(joined)


_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


@functools.lru_cache(maxsize=1024)
def _title_words(title: str, expand_all: Callable[[str], str] | None) -> tuple[str, ...]:
    return tuple(_words(expand_all(title) if expand_all else title))


def detail_text(title: str, summary: str, expand_all: Callable[[str], str] | None = None) -> str:
    """The event-detail sentence(s): the title, then the summary, unless it says the same.

    A summary that begins with the title's words (after spelling out acronyms: "RCPC: plan
    continues" under "Review child protection conference held") stands alone.
    """
    summary = summary.strip()
    if not summary:
        return sentence(title)
    head = _title_words(title, expand_all)
    probe = list(head[: min(3, len(head))])
    # only the summary's first words matter: spell out acronyms only when it starts with one
    opening = summary[:80]
    heard = _words(expand_all(opening) if expand_all else opening)
    if heard[: len(probe)] == probe or heard == list(head):
        return sentence(summary)
    return join_sentences([title, summary])
