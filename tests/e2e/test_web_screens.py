"""The read-only screens, on each engine, through TestClient: My work, the team dashboard and
the children behind its figures, the family and genogram, legal status and placements, the
chronology's filters, the reviewer's replay, what-if and report. Each asserts what a
practitioner relies on (the children named, the due date and citation, the status on a
date) and that a child one may not see is a 404."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from adapters.auth.accounts import Accounts
from adapters.packs import load_packs
from adapters.scheduler import PolicyHandler
from adapters.store import EventStore
from domain.access import GrantKind
from domain.parsing import parse_event
from policies.handler import HandlerConfig
from tests.access_world import OTHER, OWN, TEAM, build
from tests.e2e.test_web_app import _signed_in
from tests.factories import example_data

UNALLOCATED = "C-UNALLOC"
SIBLING, KIN, FAR = "C-SIB", "C-KIN", "C-FAR"
AT = "2025-03-03"  # a Monday: the week ends Sunday 9 March 2025


@pytest.fixture
def world(store_url: str) -> str:
    """The access world with work: C-OWN (sw-1) on a child in need plan since 13 January
    (York: a visit within 20 working days, overdue by 3 March); C-TEAM (sw-2) on a child
    protection plan since 6 February (visits within 7 working days, overdue; case
    supervision within 4 weeks, due Thursday 6 March) and referred again on 3 March (a
    strategy discussion due the next working day); C-UNALLOC in team north with no worker;
    C-SIB and C-KIN, sw-1's, of family FAM-1, whose third child C-FAR is south's."""
    build(store_url)
    raw = [
        example_data("child_in_need_plan_agreed", OWN, "2025-01-13"),
        example_data("child_protection_plan_started", TEAM, "2025-02-06"),
        example_data("referral_received", TEAM, "2025-03-03T09:00:00"),
        example_data("child_registered", UNALLOCATED, "2025-01-06", first_name="Sam"),
        example_data("authority_recorded", UNALLOCATED, "2025-01-06", authority="york"),
        example_data("allocated_to_team", UNALLOCATED, "2025-01-07", team="north"),
        example_data(
            "child_registered", SIBLING, "2025-01-06", first_name="Alex", family_id="FAM-1"
        ),
        example_data("authority_recorded", SIBLING, "2025-01-06", authority="york"),
        example_data("allocated_to_worker", SIBLING, "2025-01-07", worker_id="sw-1", team="north"),
        example_data("child_registered", KIN, "2025-01-06", first_name="Jo", family_id="FAM-1"),
        example_data("authority_recorded", KIN, "2025-01-06", authority="york"),
        example_data("allocated_to_worker", KIN, "2025-01-07", worker_id="sw-1", team="north"),
        example_data("child_registered", FAR, "2025-01-06", first_name="Kit", family_id="FAM-1"),
        example_data("allocated_to_worker", FAR, "2025-01-07", worker_id="sw-9", team="south"),
    ]
    with EventStore(store_url) as store:
        store.record([parse_event(item) for item in raw])
    return store_url


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _children(html: str) -> set[str]:
    return set(re.findall(r'href="/child/(C-[A-Z]+)"', html))


def _section(html: str, heading_id: str) -> str:
    start = html.index(f'id="{heading_id}"')
    end = html.find("<section", start)
    return html[start : end if end > 0 else None]


def test_my_work_lists_the_workers_children_and_whats_overdue_with_the_standard(world):
    client = _signed_in(world, "sw-1")
    page = client.get("/my-work", params={"at": AT})
    assert page.status_code == 200
    html = page.text
    mine = _section(html, "children")
    assert _children(mine) == {OWN, SIBLING, KIN}  # not C-TEAM (sw-2's), nor restricted
    overdue = _section(html, "overdue")
    assert "Overdue (" in overdue and _children(overdue) == {OWN}
    assert "cin_visits" not in overdue  # the standard by its title, not its id
    text = _text(overdue)
    assert "Mon 10 Feb 2025" in text  # 20 working days from Monday 13 January
    assert "003_8160ba9d01af632f.txt" in text or "York" in text  # the citation quoted
    assert TEAM not in html and OTHER not in html
    assert "Sunday 09 March 2025" in html


def test_my_work_shows_the_breaches_the_handler_recorded(world):
    with EventStore(world) as store:
        PolicyHandler(store, load_packs(), HandlerConfig(2)).tick(datetime.now(UTC))
    html = _signed_in(world, "sw-1").get("/my-work").text
    breaches = _section(html, "breaches")
    assert _children(breaches) == {OWN}
    assert "Mon 10 Feb 2025" in _text(breaches)


def test_the_dashboard_counts_by_worker_and_each_figure_names_its_children(world):
    client = _signed_in(world, "tm-1")
    html = client.get("/team", params={"at": AT}).text
    assert '<th scope="row">sw-1</th>' in html and '<th scope="row">sw-2</th>' in html
    assert "sw-9" not in html  # another team's worker
    lists = {
        ("overdue", None): {OWN, TEAM},
        ("overdue", "sw-1"): {OWN},
        ("overdue", "sw-2"): {TEAM},
        ("due", "sw-2"): {TEAM},
        ("due", "sw-1"): set(),
        ("unallocated", None): {UNALLOCATED},
        ("not_seen", None): {OWN, TEAM},
        ("supervision", None): {TEAM},
    }
    for (figure, worker), children in lists.items():
        link = f"/team/children?figure={figure}" + (f"&amp;worker={worker}" if worker else "")
        assert link in html, (figure, worker)
        params = {"figure": figure, "at": AT, **({"worker": worker} if worker else {})}
        behind = client.get("/team/children", params=params)
        assert behind.status_code == 200
        listed = _section(behind.text, "children")
        assert _children(listed) == children, (figure, worker)
    supervision = client.get("/team/children", params={"figure": "supervision", "at": AT}).text
    assert "Thu 06 Mar 2025" in _text(supervision)  # 4 weeks from 6 February
    assert client.get("/team/children", params={"figure": "nonsense"}).status_code == 404


def test_the_family_page_shows_siblings_the_genogram_and_the_people(world):
    client = _signed_in(world, "sw-1")
    page = client.get(f"/child/{SIBLING}/family")
    assert page.status_code == 200
    html = page.text
    siblings = _section(html, "siblings")
    assert _children(siblings) == {KIN}  # C-FAR is south's: left out, and said so
    assert "left out" in siblings
    assert "<svg" in html and 'role="img"' in html and "<?xml" not in html
    people = _text(_section(html, "people"))
    assert "Alex Testchild" in people
    assert client.get(f"/child/{FAR}/family").status_code == 404


def test_the_status_page_gives_the_status_on_a_date(world):
    client = _signed_in(world, "sw-1")
    # judged with everything recorded since (the world is recorded today): hindsight
    known = datetime.now(UTC).isoformat()
    before = client.get(f"/child/{OWN}/status", params={"at": "2025-01-08", "as_known_at": known})
    after = client.get(f"/child/{OWN}/status", params={"at": "2025-02-01", "as_known_at": known})
    before, after = before.text, after.text
    then = client.get(f"/child/{OWN}/status", params={"at": "2025-02-01"}).text
    assert "No statutory status" in then  # as known then: nothing had been recorded yet
    assert "pre-proceedings" not in _text(_section(before, "now"))
    now_after = _text(_section(after, "now"))
    assert "pre-proceedings" in now_after and "child in need" in now_after.lower()
    timeline = _text(_section(after, "over-time"))
    assert "09 Jan 2025" in timeline and "13 Jan 2025" in timeline
    assert client.get(f"/child/{OTHER}/status").status_code == 404


def test_the_chronology_filters_by_date_and_shows_the_family(world):
    client = _signed_in(world, "sw-1")
    count = re.compile(r"Entries \((\d+)\)")
    every = client.get(f"/child/{SIBLING}/chronology", params={"all": "true"}).text
    later = client.get(
        f"/child/{SIBLING}/chronology", params={"all": "true", "from": "2025-01-07"}
    ).text
    assert int(count.search(later).group(1)) < int(count.search(every).group(1))
    family = client.get(f"/child/{SIBLING}/chronology", params={"all": "true", "family": "true"})
    assert "Jo Testchild" in family.text and "Kit" not in family.text
    bad = client.get(f"/child/{OWN}/chronology", params={"from": "March"}).text
    assert "field &#39;from&#39;: expected an ISO date" in bad or "field 'from'" in bad


def _recorded_as_it_happened(url: str, child: str) -> None:
    """A child whose entries were each written down on the day they happened (the replay
    runs on the recorded clock), in a review grant of rev-1's."""
    raw = [
        example_data("child_registered", child, "2025-01-06", first_name="Lee"),
        example_data("authority_recorded", child, "2025-01-06", authority="york"),
        example_data("allocated_to_worker", child, "2025-01-07", worker_id="sw-1", team="north"),
        example_data("child_in_need_plan_agreed", child, "2025-01-13"),
    ]
    for item in raw:
        when = datetime.fromisoformat(str(item["occurred_at"])).replace(hour=17, tzinfo=UTC)
        with EventStore(url, clock=lambda when=when: when) as store:
            store.record([parse_event(item)])
    Accounts(url).grant(
        "rev-1", child, GrantKind.REVIEW, reason="Rapid review", granted_by="adm-1", days=30
    )


def test_the_reviewer_replays_a_period_and_downloads_the_report(world):
    OWN = "C-REVIEW"  # noqa: N806
    _recorded_as_it_happened(world, OWN)
    client = _signed_in(world, "rev-1")
    page = client.get(
        f"/child/{OWN}/replay", params={"from": "2025-01-01", "to": "2025-02-28", "step": "week"}
    )
    assert page.status_code == 200
    html = page.text
    steps = re.findall(r'<section class="step" aria-labelledby="step-(\d+)"', html)
    assert len(steps) >= 8
    late = _text(html[html.index('id="step-' + steps[-1] + '"') :])
    assert "breached" in late and "Child in need seen at the stated frequency" in late
    assert "cin_visits" not in late  # the standard by its title, not its id
    early = _text(
        html[html.index('id="step-' + steps[1] + '"') : html.index('id="step-' + steps[2] + '"')]
    )
    assert "breached" not in early
    what_if = client.get(
        f"/child/{OWN}/replay",
        params={"from": "2025-01-01", "to": "2025-02-28", "pack": "knowsley"},
    ).text
    assert 'id="what-if"' in what_if and "cin_visits" in _text(_section(what_if, "what-if"))
    report = client.get(
        f"/child/{OWN}/review-report",
        params={"from": "2025-01-01", "to": "2025-02-28", "format": "docx"},
    )
    assert report.status_code == 200 and report.content[:2] == b"PK"
    assert "attachment" in report.headers["content-disposition"]
    bad = client.get(f"/child/{OWN}/replay", params={"from": "2025-03-01", "to": "2025-01-01"})
    assert "is before the period" in bad.text
    worker = _signed_in(world, "sw-1")
    assert worker.get(f"/child/{OWN}/replay").status_code == 403  # not a reviewer's right
    assert client.get(f"/child/{TEAM}/replay").status_code == 404  # no grant for it
