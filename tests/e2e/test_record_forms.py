"""Recording on the web, on each engine, through TestClient: the forms the catalogue's schemas
give, errors at the field with nothing written, drafts kept server-side across a lost
session, submit-once, and corrections and "recorded in error" from the entry itself."""

from __future__ import annotations

import re

import pytest

from adapters.store import EventStore
from adapters.web.event_forms import event_data, form_for, kinds_by_stage
from tests.access_world import OTHER, OWN, build
from tests.e2e.test_web_app import _csrf, _signed_in


@pytest.fixture
def world(store_url: str) -> str:
    build(store_url)
    return store_url


def _count(url: str, child: str) -> int:
    with EventStore(url) as store:
        return len(store.stream(child))


def _draft_id(html: str) -> str:
    found = re.search(r'name="draft_id" value="([^"]+)"', html)
    assert found, "the form carries its draft id"
    return found.group(1)


VISIT = {
    "occurred_at": "2025-03-03",
    "occurred_at__time": "10:15",
    "summary": "Home visit; Jordan showed me the new bedroom",
    "seen": "yes",
    "seen_alone": "yes",
    "location": "home",
}


def test_the_visit_form_is_built_from_the_catalogue_schema():
    form = form_for("child_visited")
    by_name = {f.name: f for f in form.fields}
    assert [f.name for f in form.fields][:2] == ["occurred_at", "occurred_precision"]
    assert by_name["occurred_at"].widget == "occurred" and by_name["occurred_at"].required
    assert by_name["seen"].widget == "yes_no" and by_name["seen"].required
    assert not by_name["seen_alone"].required
    location = by_name["location"]
    assert location.widget == "select"
    assert ("home", "Home") in [(c.value, c.label) for c in location.choices]
    assert by_name["home_conditions"].widget == "textarea"
    assert "recorded_by" not in by_name and "child_id" not in by_name
    data, problems = event_data(form, VISIT)
    assert problems == []
    assert data["occurred_at"] == "2025-03-03T10:15"
    assert data["seen"] is True and data["location"] == "home"
    assert "home_conditions" not in data  # blank is left out, not sent as ""


def test_kinds_are_grouped_by_stage_and_exclude_what_nobody_types_in():
    stages = dict(kinds_by_stage())
    assert list(stages)[:3] == ["Front door", "Safeguarding", "Child in need and direct work"]
    every = {cls.kind for kinds in stages.values() for cls in kinds}
    assert "referral_received" in {c.kind for c in stages["Front door"]}
    assert "child_visited" in {c.kind for c in stages["Child in need and direct work"]}
    assert not every & {"deadline_breached", "entry_corrected", "record_restricted"}


def test_a_visit_with_a_mistake_shows_the_error_at_the_field_and_writes_nothing(world):
    client = _signed_in(world, "sw-1")
    before = _count(world, OWN)
    form = client.get(f"/child/{OWN}/record/child_visited")
    assert form.status_code == 200
    assert 'name="seen"' in form.text and 'type="date"' in form.text
    wrong = {**VISIT, "seen": "no", "seen_alone": "yes"}  # alone but not seen
    wrong.pop("location")
    response = client.post(
        f"/child/{OWN}/record/child_visited",
        data={**wrong, "csrf_token": _csrf(form.text), "draft_id": _draft_id(form.text)},
    )
    assert response.status_code == 422
    assert "nothing was recorded" in response.text
    assert 'id="f-location-error"' in response.text  # the missing location, at its field
    assert "Location is required" in response.text
    assert _count(world, OWN) == before
    # what was typed is still there, and the draft was kept
    assert "Jordan showed me the new bedroom" in response.text
    my_work = client.get("/my-work")
    assert "Child visited" in my_work.text and f"/child/{OWN}/record/child_visited?draft=" in (
        my_work.text
    )


def test_a_valid_visit_is_recorded_once_by_the_signed_in_worker(world):
    client = _signed_in(world, "sw-1")
    form = client.get(f"/child/{OWN}/record/child_visited")
    payload = {
        **VISIT,
        "csrf_token": _csrf(form.text),
        "draft_id": _draft_id(form.text),
        "action": "record",
    }
    before = _count(world, OWN)
    first = client.post(f"/child/{OWN}/record/child_visited", data=payload, follow_redirects=False)
    assert first.status_code == 303, first.text
    again = client.post(f"/child/{OWN}/record/child_visited", data=payload, follow_redirects=False)
    assert again.status_code == 303  # a double submit: the same entry, not a second one
    assert again.headers["location"] == first.headers["location"]
    assert _count(world, OWN) == before + 1
    with EventStore(world) as store:
        visit = store.stream(OWN)[-1]
    assert visit.kind == "child_visited"
    assert visit.event.recorded_by.user_id == "sw-1"
    assert visit.event.seen_alone is True
    assert visit.event.occurred_at.isoformat().startswith("2025-03-03T10:15")
    page = client.get(first.headers["location"])
    assert "Recorded: entry" in page.text and f'id="entry-{visit.event_id}"' in page.text
    assert "Drafts not yet submitted (0)" in client.get("/my-work").text


def test_a_recorded_by_in_the_form_is_ignored_for_the_signed_in_account(world):
    client = _signed_in(world, "sw-1")
    form = client.get(f"/child/{OWN}/record/child_visited")
    client.post(
        f"/child/{OWN}/record/child_visited",
        data={
            **VISIT,
            "recorded_by": "someone-else",
            "csrf_token": _csrf(form.text),
            "draft_id": _draft_id(form.text),
        },
    )
    with EventStore(world) as store:
        assert store.stream(OWN)[-1].event.recorded_by.user_id == "sw-1"


def test_a_draft_survives_a_lost_session_and_belongs_to_its_author(world):
    client = _signed_in(world, "sw-1")
    form = client.get(f"/child/{OWN}/record/child_visited")
    draft = _draft_id(form.text)
    saved = client.post(
        f"/child/{OWN}/record/child_visited/draft",
        data={"summary": "Half-written note", "csrf_token": _csrf(form.text), "draft_id": draft},
    )
    assert saved.status_code == 200 and saved.json()["saved"] is True
    # the session is lost: a new sign-in finds the draft, filled in
    again = _signed_in(world, "sw-1")
    resumed = again.get(f"/child/{OWN}/record/child_visited", params={"draft": draft})
    assert resumed.status_code == 200 and "Half-written note" in resumed.text
    # another account cannot open it or overwrite it
    other = _signed_in(world, "tm-1")  # may read the child, not the draft
    assert other.get(f"/child/{OWN}/record/child_visited", params={"draft": draft}).status_code in (
        403,
        404,
    )
    # without a session the save is refused and nothing is saved over it
    gone = _signed_in(world, "sw-1")
    gone.cookies.clear()
    refused = gone.post(
        f"/child/{OWN}/record/child_visited/draft",
        data={"summary": "overwritten", "draft_id": draft},
        follow_redirects=False,
    )
    assert refused.status_code == 303
    assert (
        "Half-written note"
        in again.get(f"/child/{OWN}/record/child_visited", params={"draft": draft}).text
    )


def test_a_child_one_may_not_see_has_no_forms(world):
    client = _signed_in(world, "sw-1")
    assert client.get(f"/child/{OTHER}/record").status_code == 404
    assert client.get(f"/child/{OTHER}/record/child_visited").status_code == 404
    form = client.get(f"/child/{OWN}/record/child_visited")
    response = client.post(
        f"/child/{OTHER}/record/child_visited",
        data={**VISIT, "csrf_token": _csrf(form.text), "draft_id": _draft_id(form.text)},
    )
    assert response.status_code == 404
    assert _count(world, OTHER) > 0 and "child_visited" not in {
        e.kind for e in EventStore(world).stream(OTHER)
    }


def test_a_form_without_its_csrf_token_writes_nothing(world):
    client = _signed_in(world, "sw-1")
    before = _count(world, OWN)
    response = client.post(f"/child/{OWN}/record/child_visited", data={**VISIT, "draft_id": "x"})
    assert response.status_code == 403
    assert _count(world, OWN) == before


def _record_visit(client, child: str) -> str:
    form = client.get(f"/child/{child}/record/child_visited")
    done = client.post(
        f"/child/{child}/record/child_visited",
        data={**VISIT, "csrf_token": _csrf(form.text), "draft_id": _draft_id(form.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    return done.headers["location"].split("recorded=")[1].split("#")[0]


def test_an_entry_is_corrected_from_itself_with_a_reason(world):
    client = _signed_in(world, "sw-1")
    event_id = _record_visit(client, OWN)
    child = client.get(f"/child/{OWN}")
    assert f"/child/{OWN}/entry/{event_id}/correct" in child.text
    form = client.get(f"/child/{OWN}/entry/{event_id}/correct")
    assert form.status_code == 200
    assert 'value="2025-03-03"' in form.text and 'value="10:15"' in form.text  # filled in
    base = {
        **VISIT,
        "location": "school",
        "csrf_token": _csrf(form.text),
        "draft_id": _draft_id(form.text),
    }
    no_reason = client.post(f"/child/{OWN}/entry/{event_id}/correct", data=base)
    assert no_reason.status_code == 422 and 'id="f-reason-error"' in no_reason.text
    unchanged = client.post(
        f"/child/{OWN}/entry/{event_id}/correct",
        data={**VISIT, "reason": "x", "csrf_token": _csrf(form.text), "draft_id": "d2"},
    )
    assert unchanged.status_code == 422 and "nothing was changed" in unchanged.text
    done = client.post(
        f"/child/{OWN}/entry/{event_id}/correct",
        data={**base, "reason": "The visit was at school, not at home"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    with EventStore(world) as store:
        correction = store.stream(OWN)[-1].event
    assert correction.kind == "entry_corrected"
    assert correction.target_event_id == event_id
    assert correction.changes == {"location": "school"}  # only what changed, not the date
    assert correction.reason == "The visit was at school, not at home"
    assert correction.recorded_by.user_id == "sw-1"


def test_an_entry_is_marked_recorded_in_error_with_a_reason(world):
    client = _signed_in(world, "sw-1")
    event_id = _record_visit(client, OWN)
    form = client.get(f"/child/{OWN}/entry/{event_id}/in-error")
    assert form.status_code == 200 and "Home visit" in form.text
    empty = client.post(
        f"/child/{OWN}/entry/{event_id}/in-error",
        data={"reason": " ", "csrf_token": _csrf(form.text), "draft_id": _draft_id(form.text)},
    )
    assert empty.status_code == 422 and 'id="f-reason-error"' in empty.text
    done = client.post(
        f"/child/{OWN}/entry/{event_id}/in-error",
        data={
            "reason": "Recorded on the wrong child",
            "csrf_token": _csrf(form.text),
            "draft_id": _draft_id(form.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    with EventStore(world) as store:
        marker = store.stream(OWN)[-1].event
    assert marker.kind == "entry_recorded_in_error" and marker.target_event_id == event_id
    # it cannot be withdrawn twice, and no longer offers to be corrected
    assert client.get(f"/child/{OWN}/entry/{event_id}/in-error").status_code == 404
    assert f"/child/{OWN}/entry/{event_id}/correct" not in client.get(f"/child/{OWN}").text


def test_the_impact_recorded_in_the_form_reads_in_the_chronologys_impact_column(world):
    client = _signed_in(world, "sw-1")
    form = client.get(f"/child/{OWN}/record/child_visited")
    done = client.post(
        f"/child/{OWN}/record/child_visited",
        data={
            **VISIT,
            "significant": "yes",
            "impact_on_child": "Jordan was relaxed and talked about school",
            "csrf_token": _csrf(form.text),
            "draft_id": _draft_id(form.text),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    html = client.get(f"/child/{OWN}/chronology").text
    assert '<th scope="col">Impact on the child</th>' in html
    row = next(r for r in html.split("<tr>") if "Home visit; Jordan showed me" in r)
    assert "Jordan was relaxed and talked about school" in row
    assert "Impact on the child not recorded." in html  # the entries without one say so
