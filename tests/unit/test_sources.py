"""A rule's source named by its authority and document, never by its seed file name."""

from __future__ import annotations

from adapters.packs import load_packs
from policies.sources import DOCUMENTS, cite


def test_the_issue_s_examples() -> None:
    assert cite("000_397ef79c2e214697.txt §3.1 (3. STRATEGY), Practice Standard").source == (
        "Shropshire Quality Standards §3.1"
    )
    cited = cite("004_b07548fa3c53f1e2.txt §2 Section 47 Enquires and Initial CP Conference")
    assert cited.source == "Knowsley Practice Standards §2"
    assert (
        cited.text == "Knowsley Practice Standards §2 Section 47 Enquires and Initial CP Conference"
    )


def test_a_statutory_citation_is_named_by_its_instrument() -> None:
    cited = cite(
        "Care Planning, Placement and Case Review (England) Regulations 2010, reg 48(3) "
        "(short breaks: reg 28(2) disapplied) — reg 48"
    )
    assert cited.source == (
        "Care Planning, Placement and Case Review (England) Regulations 2010, reg 48(3) "
        "(short breaks: reg 28(2) disapplied)"
    )
    assert cited.text.endswith("— reg 48")


def test_every_rule_of_every_pack_has_a_readable_source_and_whole_citation() -> None:
    packs = load_packs()
    seen = 0
    for pack_id in packs.ids():
        for pack in packs.versions[pack_id]:
            if pack.source != "statute":
                assert pack.source in DOCUMENTS, pack.pack
            for rule in pack.rules:
                cited = cite(rule.citation)
                seen += 1
                assert ".txt" not in cited.source and ".txt" not in cited.text, rule.id
                if rule.citation.startswith(tuple(DOCUMENTS)):
                    document = DOCUMENTS[rule.citation.split()[0]]
                    assert cited.source.startswith(f"{document} §"), (pack_id, rule.id)
                    # nothing cut: the citation after its file name, whole
                    assert cited.text == f"{document} {rule.citation.split(maxsplit=1)[1]}"
                else:
                    assert cited.text == rule.citation
                    assert rule.citation.startswith(cited.source)
    assert seen > 150
