"""The children in need census XML, in the DfE's element order, from the store's events.

Element order (DfE CIN census 2025 to 2026 specification)::

    Message
      Header
        CollectionDetails: Collection, Year, ReferenceDate
        Source: SourceLevel, LEA, SoftwareCode, Release, SerialNo, DateTime
      Children
        Child
          ChildIdentifiers: LAchildID, UPN, FormerUPN, UPNunknown, PersonBirthDate,
                            ExpectedPersonBirthDate, Sex, PersonDeathDate
          ChildCharacteristics: Ethnicity, Disabilities (Disability ...)
          CINdetails: CINreferralDate, ReferralSource, PrimaryNeedCode, CINclosureDate,
                      ReasonForClosure, DateOfInitialCPC, ReferralNFA,
            Assessments: AssessmentActualStartDate, AssessmentInternalReviewDate,
                         AssessmentAuthorisationDate,
                         FactorsIdentifiedAtAssessment (AssessmentFactors ...)
            CINPlanDates: CINPlanStartDate, CINPlanEndDate
            Section47: S47ActualStartDate, InitialCPCtarget, DateOfInitialCPC, ICPCnotRequired
            ChildProtectionPlans: CPPstartDate, CPPendDate, InitialCategoryOfAbuse,
                                  LatestCategoryOfAbuse, NumberOfPreviousCPP,
              Reviews (CPPreviewDate)

Optional elements with no value are left out. Dates are ISO (yyyy-mm-dd).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path

from lxml import etree

from adapters.logging import get_logger
from adapters.store import EventStore
from domain.envelope import RecordedEvent
from domain.events.management import AuthorityRecorded
from projections.returns_cin import CinChild, CinEpisode, census_period, cin_children

log = get_logger("caseledger.export")

SOFTWARE_CODE = "caseledger"
RELEASE = "0.1.0"


def _add(parent: etree._Element, tag: str, value: str | date | int | None) -> None:
    if value is None:
        return
    child = etree.SubElement(parent, tag)
    child.text = value.isoformat() if isinstance(value, date) else str(value)


def _flag(value: bool) -> str:
    return "1" if value else "0"


def _child(parent: etree._Element, child: CinChild) -> None:
    node = etree.SubElement(parent, "Child")
    ids = etree.SubElement(node, "ChildIdentifiers")
    _add(ids, "LAchildID", child.la_child_id)
    _add(ids, "UPN", child.upn)
    _add(ids, "UPNunknown", child.upn_unknown)
    _add(ids, "PersonBirthDate", child.birth_date)
    _add(ids, "ExpectedPersonBirthDate", child.expected_birth_date)
    _add(ids, "Sex", child.sex)
    _add(ids, "PersonDeathDate", child.death_date)
    chars = etree.SubElement(node, "ChildCharacteristics")
    _add(chars, "Ethnicity", child.ethnicity)
    disabilities = etree.SubElement(chars, "Disabilities")
    for code in child.disabilities:
        _add(disabilities, "Disability", code)
    for episode in child.episodes:
        _episode(node, episode)


def _episode(parent: etree._Element, episode: CinEpisode) -> None:
    node = etree.SubElement(parent, "CINdetails")
    _add(node, "CINreferralDate", episode.referral_date)
    _add(node, "ReferralSource", episode.referral_source)
    _add(node, "PrimaryNeedCode", episode.primary_need)
    _add(node, "CINclosureDate", episode.closure_date)
    _add(node, "ReasonForClosure", episode.closure_reason)
    _add(node, "DateOfInitialCPC", episode.initial_cpc)
    _add(node, "ReferralNFA", _flag(episode.referral_nfa))
    for a in episode.assessments:
        block = etree.SubElement(node, "Assessments")
        _add(block, "AssessmentActualStartDate", a.start)
        _add(block, "AssessmentAuthorisationDate", a.authorised)
        if a.factors:
            factors = etree.SubElement(block, "FactorsIdentifiedAtAssessment")
            for code in a.factors:
                _add(factors, "AssessmentFactors", code)
    for p in episode.plans:
        block = etree.SubElement(node, "CINPlanDates")
        _add(block, "CINPlanStartDate", p.start)
        _add(block, "CINPlanEndDate", p.end)
    for s in episode.section47s:
        block = etree.SubElement(node, "Section47")
        _add(block, "S47ActualStartDate", s.start)
        _add(block, "InitialCPCtarget", s.target)
        _add(block, "DateOfInitialCPC", s.icpc)
        _add(block, "ICPCnotRequired", _flag(s.icpc_not_required))
    for cpp in episode.protection_plans:
        block = etree.SubElement(node, "ChildProtectionPlans")
        _add(block, "CPPstartDate", cpp.start)
        _add(block, "CPPendDate", cpp.end)
        _add(block, "InitialCategoryOfAbuse", cpp.initial_category)
        _add(block, "LatestCategoryOfAbuse", cpp.latest_category)
        _add(block, "NumberOfPreviousCPP", cpp.previous_plans)
        for review in cpp.reviews:
            _add(etree.SubElement(block, "Reviews"), "CPPreviewDate", review)


def cin_census_xml(
    children: list[CinChild], year: int, la: str, generated_at: datetime | None = None
) -> bytes:
    """The census XML document for ``children`` (already derived for ``year``)."""
    if not (la.isdigit() and len(la) == 3):
        raise ValueError(f"--la {la!r}: the DfE LA code is three digits, e.g. 370")
    _, reference = census_period(year)
    moment = (generated_at or datetime.now(UTC)).astimezone(UTC).replace(microsecond=0)
    root = etree.Element("Message")
    header = etree.SubElement(root, "Header")
    details = etree.SubElement(header, "CollectionDetails")
    _add(details, "Collection", "CIN")
    _add(details, "Year", year)
    _add(details, "ReferenceDate", reference)
    source = etree.SubElement(header, "Source")
    _add(source, "SourceLevel", "L")
    _add(source, "LEA", la)
    _add(source, "SoftwareCode", SOFTWARE_CODE)
    _add(source, "Release", RELEASE)
    _add(source, "SerialNo", "001")
    _add(source, "DateTime", moment.strftime("%Y-%m-%dT%H:%M:%S"))
    listing = etree.SubElement(root, "Children")
    for child in children:
        _child(listing, child)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def authority_codes(events: list[RecordedEvent]) -> dict[str, str]:
    """Each child's DfE LA code, from the latest authority_recorded entry that gives one."""
    codes: dict[str, str] = {}
    for item in events:
        event = item.event
        if isinstance(event, AuthorityRecorded) and event.la_code:
            codes[item.child_id] = event.la_code
    return codes


def choose_la(events: list[RecordedEvent], la: str | None) -> tuple[str, set[str]]:
    """The return's LA code, and the children that belong to it.

    With ``la`` given: children recorded under that LA (or under none). Without it: the
    one LA the log holds; several give a ValueError naming them.
    """
    codes = authority_codes(events)
    every = {item.child_id for item in events}
    if la is None:
        found = sorted(set(codes.values()))
        if len(found) != 1:
            raise ValueError(
                "--la is needed: the store holds children of "
                + (f"several authorities ({', '.join(found)})" if found else "no recorded LA code")
            )
        la = found[0]
    return la, {c for c in every if codes.get(c, la) == la}


def cin_census_from_events(
    events: list[RecordedEvent], year: int, la: str | None, generated_at: datetime | None = None
) -> tuple[bytes, list[CinChild]]:
    """The census XML for one LA (see :func:`choose_la`) and the children in it."""
    la, members = choose_la(events, la)
    children = cin_children([e for e in events if e.child_id in members], year)
    seen: dict[str, str] = {}
    for child in children:
        other = seen.setdefault(child.la_child_id, child.child_id)
        if other != child.child_id:
            raise ValueError(
                f"children {other!r} and {child.child_id!r} would share the census LAchildID "
                f"{child.la_child_id!r} (rule 8510); rename one"
            )
    return cin_census_xml(children, year, la, generated_at), children


def export_cin_census(
    store: EventStore,
    year: int,
    la: str | None,
    out: Path | None = None,
    progress: Callable[[int], None] | None = None,
    generated_at: datetime | None = None,
) -> tuple[bytes, int]:
    """Read every event, build the census; write it to ``out`` when given. (xml, children)."""
    census_period(year)
    events: list[RecordedEvent] = []
    for item in store.iter_all():
        events.append(item)
        if progress is not None and len(events) % 2000 == 0:
            progress(len(events))
    xml, children = cin_census_from_events(events, year, la, generated_at)
    if out is not None:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(xml)
    log.info("cin_census_exported", year=year, children=len(children), events=len(events))
    return xml, len(children)
