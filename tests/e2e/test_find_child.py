"""Find a child, on each engine, through TestClient: by name, child id, date of birth and NHS
number; bad input named by field; a restricted child (and another team's) never shown, not
even its name; each child shown logged; signed out is sent to sign in; and the possible
duplicates of a new child, as JSON and as the partial the new-child form includes."""

from __future__ import annotations

import re
from datetime import datetime

import pytest
from fastapi.templating import Jinja2Templates

from adapters.auth.access_log import AccessLog
from adapters.auth.guard import Gate
from adapters.store import EventStore
from adapters.web import find_child
from adapters.web.app import HERE
from adapters.web.find_child import duplicates_for
from domain.access import Principal
from domain.events.base import LONDON
from domain.parsing import parse_event
from projections.child_search import SearchError
from tests.access_world import OTHER, OWN, RESTRICTED, TEAM, build
from tests.e2e.test_web_app import _client, _signed_in
from tests.factories import example_data

ZED, HUSH = "C-ZED", "C-HUSH"
ZED_NHS, HUSH_NHS = "9990000042", "9990000050"
ROBIN_NHS = "9990001111"  # every access-world child's (the factory's) number


@pytest.fixture
def world(store_url: str) -> str:
    """The access world (four Robin Testchilds born 14 March 2019), plus sw-1's Zed Quarry
    (born 5 May 2015, looked after under section 20) and sw-1's restricted Hester Quietly."""
    build(store_url)
    raw = [
        example_data(
            "child_registered",
            ZED,
            "2025-01-06",
            first_name="Zed",
            last_name="Quarry",
            date_of_birth="2015-05-05",
            nhs_number=ZED_NHS,
        ),
        example_data("allocated_to_worker", ZED, "2025-01-07", worker_id="sw-1", team="north"),
        example_data(
            "became_looked_after", ZED, "2025-02-03", legal_status="V2", category_of_need="N1"
        ),
        example_data(
            "child_registered",
            HUSH,
            "2025-01-06",
            first_name="Hester",
            last_name="Quietly",
            date_of_birth="2017-09-09",
            nhs_number=HUSH_NHS,
        ),
        example_data("allocated_to_worker", HUSH, "2025-01-07", worker_id="sw-1", team="north"),
        example_data("record_restricted", HUSH, "2025-01-10"),
    ]
    with EventStore(store_url) as store:
        store.record([parse_event(item) for item in raw])
    return store_url


def _found(html: str) -> list[str]:
    results = html.split('id="results"', 1)
    assert len(results) == 2, "no results section"
    return re.findall(r'<td><a href="/child/([A-Z-]+)">', results[1])


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_by_name_any_order_and_partial(world):
    client = _signed_in(world, "sw-1")
    page = client.get("/find", params={"q": "quarry zed"})
    assert page.status_code == 200
    assert _found(page.text) == [ZED]
    row = _text(page.text.split('id="results"')[1])
    assert "Zed Quarry" in row and "05/05/2015" in row and "999 000 0042" in row
    assert "sw-1" in row
    assert "1 child found" in _text(page.text)
    assert _found(client.get("/find", params={"q": "QUAR"}).text) == [ZED]
    # the same name on four records: only the two sw-1 may see
    assert _found(client.get("/find", params={"q": "robin testchild"}).text) == [OWN, TEAM]


def test_the_legal_status_and_age_are_shown(world):
    page = _signed_in(world, "sw-1").get("/find", params={"q": ZED})
    row = _text(page.text.split('id="results"')[1])
    assert "looked after: s20 accommodation, single period (V2) since 2025-02-03" in row
    today = datetime.now(LONDON).date()
    age = today.year - 2015 - ((today.month, today.day) < (5, 5))
    assert f"05/05/2015 {age} 999 000 0042" in row  # the age next to the date of birth


def test_by_child_id(world):
    client = _signed_in(world, "sw-1")
    found = client.get("/find", params={"q": "c-own"}).text
    assert _found(found) == [OWN]
    assert "child id" in _text(found.split('id="results"')[1])


def test_by_date_of_birth_iso_or_uk(world):
    client = _signed_in(world, "sw-1")
    for typed in ("2015-05-05", "05/05/2015", "5/5/2015"):
        assert _found(client.get("/find", params={"dob": typed}).text) == [ZED], typed
    assert _found(client.get("/find", params={"dob": "14/03/2019"}).text) == [OWN, TEAM]
    both = client.get("/find", params={"q": "zed", "dob": "14/03/2019"}).text
    assert _found(both) == [] and "No children found" in both


def test_by_nhs_number_with_or_without_spaces(world):
    client = _signed_in(world, "sw-1")
    assert _found(client.get("/find", params={"nhs": "999 000 0042"}).text) == [ZED]
    assert _found(client.get("/find", params={"nhs": ZED_NHS}).text) == [ZED]


def test_bad_input_names_the_field_and_the_rule(world):
    client = _signed_in(world, "sw-1")
    page = client.get("/find", params={"q": "zed", "dob": "31/02/2015", "nhs": "9990000043"})
    assert page.status_code == 422
    html = page.text
    summary = html.split('class="error-summary"')[1].split("</div>")[0]
    assert 'href="#dob"' in summary and 'href="#nhs"' in summary
    assert "Date of birth: &#39;31/02/2015&#39; is not a real date" in summary
    assert "NHS number:" in summary and "check digit" in summary
    assert re.search(r'id="dob"[^>]*aria-invalid="true"', html, re.S)
    assert re.search(r'id="nhs"[^>]*aria-describedby="nhs-hint nhs-error"', html, re.S)
    assert 'id="results"' not in html  # nothing searched on a half-read query
    assert 'value="31/02/2015"' in html  # what was typed is kept to correct
    wrong = client.get("/find", params={"dob": "March 2015"})
    assert wrong.status_code == 422 and "YYYY-MM-DD" in wrong.text


def test_a_restricted_child_is_never_shown_not_even_its_name(world):
    worker = _signed_in(world, "sw-1")  # allocated to both restricted children
    for params in ({"q": "hester"}, {"q": HUSH}, {"nhs": HUSH_NHS}, {"dob": "09/09/2017"}):
        html = worker.get("/find", params=params).text
        assert _found(html) == [], params
        assert "Quietly" not in html, params
        assert HUSH not in _text(html.split('id="results"')[1]), params
    html = worker.get("/find", params={"q": "C-RESTRICTED"}).text
    assert _found(html) == []
    assert _found(worker.get("/find", params={"q": "C-OTHER"}).text) == []  # another team's
    # the reviewer granted C-RESTRICTED sees it, tagged
    reviewer = _signed_in(world, "rev-1").get("/find", params={"nhs": ROBIN_NHS}).text
    assert _found(reviewer) == [OWN, RESTRICTED]
    assert 'class="tag tag-restricted"' in reviewer
    assert OTHER not in _found(reviewer)


def test_each_child_shown_is_logged_and_nothing_else(world):
    _signed_in(world, "sw-1").get("/find", params={"q": "robin"})
    rows = [r for r in AccessLog(world).rows() if r.what == "find a child"]
    assert sorted(r.child_id for r in rows) == [OWN, TEAM]
    assert {r.user_id for r in rows} == {"sw-1"}


def test_signed_out_is_sent_to_sign_in(world):
    visitor = _client(world)
    for path in ("/find?q=robin", "/find/duplicates?given=Robin&family=Testchild"):
        answer = visitor.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"] == "/sign-in", path


def test_the_nav_links_find_a_child_and_marks_the_current_page(world):
    client = _signed_in(world, "sw-1")
    html = client.get("/find").text
    assert '<a href="/find" aria-current="page">Find a child</a>' in html
    assert '<a href="/my-work">My work</a>' in html
    work = client.get("/my-work").text
    assert '<a href="/my-work" aria-current="page">My work</a>' in work
    assert '<a href="/find">Find a child</a>' in work


def test_possible_duplicates_as_json_with_reasons(world):
    client = _signed_in(world, "sw-1")
    answer = client.get(
        "/find/duplicates", params={"given": "Zed", "family": "Quarry", "dob": "05/05/2015"}
    )
    assert answer.status_code == 200
    assert answer.json()["duplicates"] == [
        {
            "child_id": ZED,
            "name": "Zed Quarry",
            "date_of_birth": "2015-05-05",
            "nhs_number": "999 000 0042",
            "reasons": ["same name and date of birth"],
            "notes": [],
            "strength": 2,
            "href": f"/child/{ZED}",
        }
    ]
    by_number = client.get("/find/duplicates", params={"nhs": "999 000 1111"}).json()
    assert [d["child_id"] for d in by_number["duplicates"]] == [OWN, TEAM]
    assert all(d["reasons"] == ["same NHS number"] for d in by_number["duplicates"])
    hidden = client.get(
        "/find/duplicates", params={"given": "Hester", "family": "Quietly", "nhs": HUSH_NHS}
    ).json()
    assert hidden == {"duplicates": []}
    bad = client.get("/find/duplicates", params={"given": "Zed", "dob": "2015-13-01"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "dob"
    assert "Date of birth" in bad.json()["errors"][0]["message"]


def test_duplicates_for_and_its_partial(world):
    principal = Principal(user_id="sw-1", role="social_worker", team="north", source="local")
    with EventStore(world) as store:
        gate = Gate(store, principal, channel="http", address="test")
        found = duplicates_for(store, gate, "Zedd", "Quarry", "2015-05-05", None)
        with pytest.raises(SearchError) as error:
            duplicates_for(store, gate, "Zed", "Quarry", None, "123")
    assert error.value.field == "nhs"
    assert [(d.child_id, d.reasons) for d in found] == [
        (ZED, ("same date of birth and a similar name (Zed Quarry)",))
    ]
    assert [r.child_id for r in AccessLog(world).rows() if r.what == "possible duplicates"] == [ZED]
    templates = Jinja2Templates(directory=HERE / "templates")
    html = templates.get_template("_possible_duplicates.html").render(duplicates=found)
    assert "Possible duplicates (1)" in html and f'href="/child/{ZED}"' in html
    assert "same date of birth and a similar name" in html
    empty = templates.get_template("_possible_duplicates.html").render(duplicates=[])
    assert "No possible duplicates" in empty


def test_a_role_without_the_caseload_may_not_search(world):
    for name in ("ana-1", "adm-1"):
        client = _signed_in(world, name)
        page = client.get("/find", params={"q": "robin"})
        assert page.status_code == 403, name
        assert "Testchild" not in page.text, name
        answer = client.get("/find/duplicates", params={"given": "Robin", "family": "Testchild"})
        assert answer.status_code == 403 and "duplicates" not in answer.json(), name
    assert [r for r in AccessLog(world).rows() if r.what == "find a child"] == []


def test_a_broad_search_decides_in_one_pass_with_the_same_answer(world, monkeypatch):
    """Past BROAD matches the account's children are decided over the whole log at once:
    the same children, the restricted one still hidden."""
    monkeypatch.setattr(find_child, "BROAD", 0)
    worker = _signed_in(world, "sw-1")
    assert _found(worker.get("/find", params={"q": "robin"}).text) == [OWN, TEAM]
    assert _found(worker.get("/find", params={"q": "hester"}).text) == []
    reviewer = _signed_in(world, "rev-1").get("/find", params={"nhs": ROBIN_NHS}).text
    assert _found(reviewer) == [OWN, RESTRICTED]
