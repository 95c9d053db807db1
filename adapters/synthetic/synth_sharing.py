"""What the synthetic authority sends to whom: meeting records, reports and information given.

The standards time the sending, not the meeting (issue 14 §3): strategy decisions circulated
within 1 working day (Shropshire 3.1, Wiltshire, Knowsley §2), conference reports with the
family, the chair, the team manager and the safeguarding unit days before the conference
(Shropshire 10.2 and 11.1, York 6.4 and Standard 4, Knowsley §3 and §4), conference
recommendations within 1 working day and minutes within 20 (Shropshire 10.6), core group
minutes to the agencies within 5 days (Knowsley §4), a copy of the child in need plan to the
child, family and agencies within 5 or 10 working days (Shropshire 8.3, York 6.2 row 7), the
looked-after review's report with the IRO, parents and child beforehand and its record sent
out within 15 or 20 working days (York Standard 4, Shropshire 15.2, the IRO Handbook), the
IRO service and the professionals told of a child's becoming looked after and legal status
(Knowsley §8, York 6.5), and feedback to the referrer within 48 hours (Shropshire 2.6).

A :class:`Sharing` writes those entries for one child: each on time, with a margin inside
the tightest of the five packs' limits, except a few (:data:`LATE`) sent late on purpose.
Whether an item goes late is drawn from its own key (the same for every sibling at a shared
meeting) and every write-up delay from the child's own sharing generator, so adding these
entries leaves every other entry of the journey exactly as it was. A late entry's summary
says so, so a breach it causes can be told from one the rules got wrong.

Reports and plans name the child among their recipients at every age: the standards name
the child without an age limit (York: "shared with parents and the child"), and the rules
follow them.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from domain.events import CaseEvent
from domain.events import safeguarding as sg
from domain.events import sharing as sh
from domain.events.base import LONDON
from policies.calendar import WorkingDayCalendar

if TYPE_CHECKING:
    from adapters.synthetic.synth import ChildBuilder

LATE = 0.05
"""The share of circulations, reports and notifications sent after their time limit."""

_CALENDAR = WorkingDayCalendar()

_CONFERENCES = {"initial_conference": "Conference", "review_conference": "Review conference"}


def _working(day: date, n: int) -> date:
    return _CALENDAR.add_working_days(day, n)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


class Sharing:
    """One child's meeting records, reports and notifications (see the module docstring)."""

    def __init__(self, builder: ChildBuilder, family_seed: int, sibling: int) -> None:
        self.b = builder
        self.family_seed = family_seed
        self.sibling = sibling
        self.rng = random.Random(f"{family_seed}:{sibling}:sharing")

    def late(self, key: str) -> bool:
        """Whether item ``key`` goes late (a key naming a shared meeting: all siblings alike)."""
        return random.Random(f"{self.family_seed}:late:{key}").random() < LATE

    def _own(self, key: str) -> str:
        return f"{self.sibling}:{key}"

    def _add(
        self, cls: type[CaseEvent], when: datetime, summary: str, late: bool, **fields: Any
    ) -> None:
        text = f"{summary} (late)" if late else summary
        self.b.add(cls, when, text, rng=self.rng, late=False, **fields)

    # -- the front door ------------------------------------------------------------------------

    def referral_feedback(self, decided: datetime) -> None:
        """The referrer told of the decision within the hour (Shropshire 2.6: 48 hours)."""
        self._add(
            sh.InformationGiven,
            decided + timedelta(minutes=40),
            "Referrer told of the decision and the next steps.",
            False,
            subject=sh.InformationSubject.REFERRAL_OUTCOME,
            recipients=["referrer"],
        )

    def strategy(self, held: datetime) -> None:
        """The strategy decisions to all parties that afternoon, or two working days later."""
        late = self.late("strategy")
        sent = _at(_working(held.date(), 2), 15) if late else held + timedelta(hours=3)
        self._add(
            sh.MinutesCirculated,
            sent,
            "Strategy discussion decisions circulated to all parties.",
            late,
            meeting_type=sg.MeetingType.STRATEGY,
            meeting_date=held.astimezone(LONDON).date(),
            record=sh.MeetingRecord.DECISIONS,
            recipients=["agencies"],
        )

    # -- conferences ---------------------------------------------------------------------------

    def booked(self, meeting: str, day: date, when: datetime) -> None:
        """A review conference or looked-after review booked (at the meeting before it)."""
        self._add(
            sg.MeetingScheduled,
            when,
            "Next meeting booked.",
            False,
            meeting_type=meeting,
            scheduled_for=day,
        )

    def conference_reports(
        self, meeting: str, day: date, key: str, booked: datetime, *, unborn: bool
    ) -> None:
        """The report to the team manager 7 working days before (or once the conference is
        booked), then to the family, the chair and the safeguarding unit 5 before (late: 1)."""
        name = _CONFERENCES[meeting]
        self._add(
            sg.ReportShared,
            max(_at(_working(day, -7), 12), booked + timedelta(hours=1)),
            f"{name} report with the team manager for sign-off.",
            False,
            meeting_type=meeting,
            meeting_date=day,
            recipients=["team_manager"],
        )
        late = self.late(f"{key}:report")
        family = ["parents"] if unborn else ["child", "parents"]
        self._add(
            sg.ReportShared,
            _at(_working(day, -1 if late else -5), 12),
            f"{name} report shared with the family, the chair and the safeguarding unit.",
            late,
            meeting_type=meeting,
            meeting_date=day,
            recipients=[*family, "chair", "safeguarding_unit"],
        )

    def conference_records(self, meeting: str, held: datetime, key: str) -> None:
        """Recommendations the next working day (late: 3), minutes in 10 to 15 (late: 22)."""
        name = _CONFERENCES[meeting]
        day = held.astimezone(LONDON).date()
        late = self.late(f"{key}:recommendations")
        self._add(
            sh.MinutesCirculated,
            _at(_working(day, 3 if late else 1), 12),
            f"{name} recommendations circulated to those invited.",
            late,
            meeting_type=meeting,
            meeting_date=day,
            record=sh.MeetingRecord.RECOMMENDATIONS,
            recipients=["parents", "agencies"],
        )
        late = self.late(f"{key}:minutes")
        after = 22 if late else self.rng.randint(10, 15)
        self._add(
            sh.MinutesCirculated,
            _at(_working(day, after), 12),
            f"{name} minutes circulated to those invited.",
            late,
            meeting_type=meeting,
            meeting_date=day,
            record=sh.MeetingRecord.MINUTES,
            recipients=["parents", "agencies"],
        )

    def core_group(self, held: datetime, n: int) -> None:
        """Core group minutes to the members in 1 to 3 days (Knowsley §4: 5; late: 8)."""
        late = self.late(self._own(f"core:{n}"))
        days = 8 if late else self.rng.randint(1, 3)
        self._add(
            sh.MinutesCirculated,
            held + timedelta(days=days),
            "Core group minutes sent to the core group.",
            late,
            meeting_type=sg.MeetingType.CORE_GROUP,
            meeting_date=held.astimezone(LONDON).date(),
            recipients=["parents", "agencies"],
        )

    # -- child in need -------------------------------------------------------------------------

    def cin_plan(self, held: datetime, n: int, stop: date) -> None:
        """A copy of the plan to the child, family and agencies in 1 to 4 working days
        (Shropshire 8.3: 5; late: 12), or that afternoon when the plan ends sooner."""
        day = held.astimezone(LONDON).date()
        late = self.late(self._own(f"cin:{n}"))
        sent_day = _working(day, 12 if late else self.rng.randint(1, 4))
        sent = _at(sent_day, 12) if sent_day < stop else held + timedelta(hours=4)
        self._add(
            sh.MinutesCirculated,
            sent,
            "Copy of the child in need plan sent to the child, family and agencies.",
            late and sent_day < stop,
            meeting_type=sg.MeetingType.CHILD_IN_NEED_MEETING,
            meeting_date=day,
            record=sh.MeetingRecord.PLAN,
            recipients=["child", "parents", "agencies"],
        )

    # -- looked after --------------------------------------------------------------------------

    def became_looked_after(self, start: datetime, *, rights: bool) -> None:
        """The IRO service notified and the professionals told of the legal status within the
        hours (York 6.5: 24 hours; Knowsley §8: 2 and 5 working days; late: 3 working days);
        the child given their rights when old enough to take them in."""
        late = self.late(self._own("lac"))
        day = start.astimezone(LONDON).date()
        told = _at(_working(day, 3), 11) if late else start + timedelta(hours=2)
        self._add(
            sh.InformationGiven,
            told,
            "Professionals told of the child's legal status.",
            late,
            subject=sh.InformationSubject.LEGAL_STATUS,
            recipients=["agencies", "carers"],
        )
        self._add(
            sh.InformationGiven,
            _at(_working(day, 3), 10) if late else start + timedelta(hours=2, minutes=15),
            "IRO service notified that the child is looked after.",
            late,
            subject=sh.InformationSubject.BECAME_LOOKED_AFTER,
            recipients=["iro"],
        )
        if rights:
            self._add(
                sh.InformationGiven,
                _at(_working(day, 2), 16),
                "Child given their rights, their IRO's name and how to complain.",
                False,
                subject=sh.InformationSubject.RIGHTS,
                recipients=["child", "carers"],
            )

    def legal_status_changed(self, when: datetime, n: int) -> None:
        """The professionals told of the new legal status within 2 hours (late: 2 days)."""
        late = self.late(self._own(f"status:{n}"))
        self._add(
            sh.InformationGiven,
            when + (timedelta(days=2) if late else timedelta(hours=2)),
            "Professionals told of the child's new legal status.",
            late,
            subject=sh.InformationSubject.LEGAL_STATUS,
            recipients=["agencies", "carers"],
        )

    def review(self, held: datetime, n: int, booked: datetime) -> None:
        """A looked-after review: booked, its report with the IRO, parents and child 5 working
        days before (late: 1), its record sent out in 8 to 14 working days (late: 22)."""
        day = held.astimezone(LONDON).date()
        self.booked(sg.MeetingType.LOOKED_AFTER_REVIEW, day, booked)
        late = self.late(self._own(f"review:{n}:report"))
        self._add(
            sg.ReportShared,
            _at(_working(day, -1 if late else -5), 12),
            "Review report shared with the IRO, the parents and the child.",
            late,
            meeting_type=sg.MeetingType.LOOKED_AFTER_REVIEW,
            meeting_date=day,
            recipients=["iro", "parents", "child"],
        )
        late = self.late(self._own(f"review:{n}:record"))
        after = 22 if late else self.rng.randint(8, 14)
        self._add(
            sh.MinutesCirculated,
            _at(_working(day, after), 12),
            "Review record sent to the child, parents, carers and agencies.",
            late,
            meeting_type=sg.MeetingType.LOOKED_AFTER_REVIEW,
            meeting_date=day,
            record=sh.MeetingRecord.MINUTES,
            recipients=["child", "parents", "carers", "agencies"],
        )
