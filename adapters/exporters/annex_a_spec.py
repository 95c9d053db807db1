"""Ofsted ILACS Annex A: the lists' column headings and cell codes, as the data map gives them.

Transcribed (headings and code labels only) from Social Finance's data map,
``SocialFinanceDigitalLabs/liia-tools`` ``liiatools/annex_a_pipeline/spec/Annex_A_schema.yml``
at commit ``a042cd5582ea72b41d19888a5d71b83b62111c3b`` (at that commit
``liiatools/spec/annex_a/`` holds only the aggregation specs; the column map moved to the
pipeline's spec folder). Codes map caseledger's DfE codes to the data map's labels.
"""

from __future__ import annotations

SOURCE = (
    "SocialFinanceDigitalLabs/liia-tools liiatools/annex_a_pipeline/spec/Annex_A_schema.yml "
    "@ a042cd5582ea72b41d19888a5d71b83b62111c3b"
)

_PERSON = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
_DISABILITY = "Does the Child have a Disability"
_ALLOCATED = ["Allocated Team", "Allocated Worker"]

LISTS: dict[str, list[str]] = {
    "List 1": [*_PERSON, "Date of Contact", "Contact Source"],
    "List 2": [
        *_PERSON,
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
    ],
    "List 3": [
        *_PERSON,
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        *_ALLOCATED,
    ],
    "List 4": [
        *_PERSON,
        _DISABILITY,
        "Continuous Assessment Start Date",
        "Child Seen During Continuous Assessment",
        "Continuous Assessment Date of Authorisation",
        "Was the child assessed as requiring LA children's social care support?",
        *_ALLOCATED,
    ],
    "List 5": [
        *_PERSON,
        _DISABILITY,
        "Strategy discussion initiating Section 47 Enquiry Start Date",
        "Was an Initial Child Protection Conference deemed unnecessary?",
        "Date of Initial Child Protection Conference",
        "Did the Initial Child Protection Conference Result in a Child Protection Plan",
        "Number of Section 47 Enquiries in the last 12 months",
        "Number of ICPCs in the last 12 months",
        *_ALLOCATED,
    ],
    "List 6": [
        *_PERSON,
        _DISABILITY,
        "CIN Start Date",
        "Primary Need Code",
        "Date Child Was Last Seen",
        "CIN Closure Date",
        "Reason for Closure",
        "Case Status",
        *_ALLOCATED,
    ],
    "List 7": [
        *_PERSON,
        _DISABILITY,
        "Child Protection Plan Start Date",
        "Initial Category of Abuse",
        "Latest Category of Abuse",
        "Date of the Last Statutory Visit",
        "Was the Child Seen Alone?",
        "Date of latest review conference",
        "Child Protection Plan End Date",
        "Subject to Emergency Protection Order or Protected Under Police Powers in Last Six "
        "Months (Y/N)",
        "Number of Previous Child Protection Plans",
        *_ALLOCATED,
    ],
    "List 8": [
        *_PERSON,
        "Unaccompanied Asylum Seeking Child (UASC) within the Last 12 Months (Y/N)",
        _DISABILITY,
        "Date Started to be Looked After",
        "Child's Category of Need",
        "Is this a second or subsequent period of being a Looked After Child within the last "
        "12 months (Y/N)",
        "Start date of current legal status",
        "Child's Legal Status",
        "Date of Latest Statutory Review",
        "Date of Last Social Work Visit",
        "What is the permanence plan for this child?",
        "Date of Last IRO Visit / Contact to the Child",
        "Date of Last Health Assessment",
        "Date of Last Dental Check",
        "Number of Placements in the Last 12 months",
        "Date Ceased to be Looked After",
        "Reason Ceased to be Looked After",
        "Start Date of Most Recent Placement",
        "Placement Type",
        "Placement Provider",
        "Placement postcode",
        "URN of Placement",
        "Placement Location",
        "LA of Placement",
        "Number of Episodes the Child has been 'Missing' from their Placement in the last 12 "
        "months",
        "Number of Episodes the Child has been 'Absent' from their Placement in the last 12 months",
        "Was the child offered a Return Interview after their last missing episode (Y/N)?",
        "Did the child accept a Return Interview after their last missing episode (Y/N)?",
        *_ALLOCATED,
    ],
    "List 9": [
        *_PERSON,
        "Unaccompanied Asylum Seeking Child (UASC), or formerly UASC if 18 or over (Y/N)",
        _DISABILITY,
        *_ALLOCATED,
        "Allocated Personal Advisor",
        "Eligibility Category",
        "Latest Pathway Plan Review Date",
        "LA in Touch",
        "Latest Date of Contact",
        "Type of Accommodation",
        "Suitability of Accommodation",
        "Activity Status",
    ],
    "List 10": [
        "Child Unique ID",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        _DISABILITY,
        "Date the Child Entered Care",
        "Date of Decision that Child Should be Placed for Adoption",
        "Date of Placement Order",
        "Date of Matching Child and Prospective Adopters",
        "Date Placed for Adoption",
        "Date of Adoption Order",
        "Date of Decision that Child Should No Longer be Placed for Adoption",
        "Reason Why Child No Longer Placed for Adoption",
        "Date the child was placed for fostering in FFA or concurrent planning placement",
    ],
    "List 11": [
        "Individual adopter identifier",
        "Family identifier",
        "Gender",
        "Ethnicity",
        "Disability",
        "Is the (prospective) adopter fostering for adoption?",
        "Date enquiry received",
        "Date Stage 1 started",
        "Date Stage 1 ended",
        "Date Stage 2 started",
        "Date Stage 2 ended",
        "Date application submitted",
        "Date application approved",
        "Date adopter matched with child(ren)",
        "Date child/children placed with adopter(s)",
        "No. of children placed",
        "Date of Adoption Order",
        "Date of leaving adoption process",
        "Reason for leaving adoption process",
    ],
}

GENDER = {"M": "a) Male", "F": "b) Female", "U": "c) Not stated/recorded"}
ETHNICITY = {
    code: f"{letter}) {code}"
    for letter, code in zip(
        "abcdefghijklmnopqr",
        "WBRI WIRI WIRT WOTH WROM MWBC MWBA MWAS MOTH AIND APKN ABAN AOTH BCRB BAFR BOTH "
        "CHNE OOTH".split(),
        strict=True,
    )
} | {"REFU": "s) REFU", "NOBT": "s) NOBT"}
SOURCE_CODES = {
    "1A": "a) 1A: Individual",
    "1B": "b) 1B: Individual",
    "1C": "c) 1C: Individual",
    "1D": "d) 1D: Individual",
    "2A": "e) 2A: Schools",
    "2B": "f) 2B: Education services",
    "3A": "g) 3A: Health services",
    "3B": "h) 3B: Health services",
    "3C": "i) 3C: Health services",
    "3D": "j) 3D: Health services",
    "3E": "k) 3E: Health services",
    "3F": "l) 3F: Health services",
    "4": "m) 4: Housing",
    "5A": "n) 5A: LA services",
    "5B": "o) 5B: LA services",
    "5C": "p) 5C: LA services",
    "5D": "p1) 5D: LA services",
    "6": "q) 6: Police",
    "7": "r) 7: Other legal agency",
    "8": "s) 8: Other",
    "9": "t) 9: Anonymous",
    "10": "u) 10: Unknown",
}
YES, NO, UNKNOWN = "a) Yes", "b) No", "c) Unknown"
NEED = {
    "N1": "N1 - Abuse or neglect",
    "N2": "N2 - Child's disability",
    "N3": "N3 - Parental disability or illness",
    "N4": "N4 - Family in acute stress",
    "N5": "N5 - Family dysfunction",
    "N6": "N6 - Socially unacceptable behaviour",
    "N7": "N7 - Low income",
    "N8": "N8 - Absent parenting",
    "N9": "N9 - Cases other than children in need",
    "N0": "N0 - Not stated",
}
CLOSURE = {
    "RC1": "RC1 - Adopted",
    "RC2": "RC2 - Died",
    "RC3": "RC3 - Child arrangements order",
    "RC4": "RC4 - Special guardianship order",
    "RC5": "RC5 - Transferred to services of another local authority",
    "RC6": "RC6 - Transferred to adult social care services",
    "RC7": "RC7 - Services ceased for any other reason, including child no longer in need",
    "RC8": "RC8 - Case closed after assessment, no further action",
    "RC9": "RC9 - Case closed after assessment, referred to early help",
}
CASE_STATUS = {
    "looked_after": "a) Looked after child",
    "cp": "b) Child Protection plan",
    "cin": "c) Child in need plan",
    "assessment": "d) Open assessment",
    "closed": "e) Closed episode",
}
ABUSE = {
    "NEG": "a) Neglect",
    "PHY": "b) Physical abuse",
    "SAB": "c) Sexual abuse",
    "EMO": "d) Emotional abuse",
    "MUL": "e) Multiple/not recommended",
}
LEGAL_STATUS = {
    "E1": "E1: Placement order",
    "C1": "C1: ICO",
    "C2": "C2: FCO",
    "D1": "D1: Freeing order",
    "V2": "V2: Single period under S20",
    "L1": "L1: Police protection LA accommodation",
    "L2": "L2: EPO",
    "L3": "L3: Child assessment order LA accommodation",
    "J1": "J1: Remanded to LA or youth detention",
    "J2": "J2: LA accommodation under PACE",
    "J3": "J3: Youth rehabilitation order",
    "V3": "V3: Short term breaks, episodes recorded",
    "V4": "V4: Short term breaks, agreements recorded",
}
CEASED = {
    "E11": "a) E11: Adopted - application unopposed",
    "E12": "b) E12: Adopted - consent dispensed",
    "E2": "c) E2: Died",
    "E3": "d) E3: Care taken by another LA",
    "E4A": "e) E4A: Returned home to live with parents or relatives - part of planning",
    "E4B": "f) E4B: Returned home to live with parents or relatives - not part of planning",
    "E13": "g) E13: Parents, relatives or other with no parental responsibility",
    "E41": "h) E41: Residence order granted",
    "E45": "i) E45: Special Guardianship Orders - former carer relative/friend",
    "E46": "j) E46: Special Guardianship Orders - former carer other",
    "E47": "k) E47: Special Guardianship Orders - relative/friend",
    "E48": "l) E48: Special Guardianship Orders - other",
    "E5": "m) E5: Moved into independent living - supported",
    "E6": "n) E6: Moved into independent living - no support",
    "E7": "o) E7: Transferred to residential care funded by adult social services",
    "E9": "p) E9: Sentenced to custody",
    "E14": "q) E14: Accommodation on remand ended",
    "E15": "r) E15: Age assessment determined child was 18 or over",
    "E16": "s) E16: Child moved abroad",
    "E8": "t) E8: Care ceased for any other reason",
    "X1": "u) X1: CodeError",
    "E17": "v) E17: Aged 18+ and remained with current carers",
}
PLACEMENT_TYPE = {
    "U1": "a) U1: Foster placement - relatives - long term",
    "U2": "b) U2: Foster placement - relative - FFA",
    "U3": "c) U3: Foster placement - relative - not FFA",
    "U4": "d) U4: Foster placement - long term",
    "U5": "e) U5: Foster placement - FFA",
    "U6": "f) U6: Foster placement - not FFA",
    "A3": "g) A3: Placed for adoption - consent - current foster",
    "A4": "h) A4: Placed for adoption - consent - not foster",
    "A5": "i) A5: Placed for adoption - order - foster",
    "A6": "j) A6: Placed for adoption - order - not foster",
    "P1": "k) P1: Placed with parents",
    "P2": "l) P2: Independent living",
    "P3": "m) P3: Residential employment",
    "H5": "n) H5: Residential accommodation",
    # From 2025-26 SSDA903 replaced H5 with K3 (supported accommodation); the data map
    # still names H5, the nearest of its codes.
    "K3": "n) H5: Residential accommodation",
    "K1": "o) K1: Secure Children's Homes",
    "K2": "p) K2: Children's Homes",
    "R1": "q) R1: Residential Care Home",
    "R2": "r) R2: NHS/Health Trust",
    "R3": "s) R3: Family Centre or Mother and Baby Unit",
    "R5": "t) R5: Young Offender Institution",
    "S1": "u) S1: Residential school",
    "Z1": "v) Z1: Other placements",
    "T0": "w) T0: Temporary placement",
    "T1": "x) T1: Temporary placement - hospital",
    "T2": "y) T2: Temporary placement - holiday",
    "T3": "z) T3: Temporary placement - carer holiday",
    "T4": "zz) T4: Temporary placement - seven days or less",
}
PROVIDER = {
    "PR0": "a) PR0: Parents/Parental responsibility",
    "PR1": "b) PR1: Own provision",
    "PR2": "c) PR2: Other LA provision",
    "PR3": "d) PR3: Other public provision",
    "PR4": "e) PR4: Private provision",
    "PR5": "f) PR5: Voluntary/third sector",
}
IN_TOUCH = {
    "YES": "a) Yes",
    "NO": "b) No",
    "DIED": "c) Died",
    "REFU": "d) Refu",
    "NREQ": "e) NREQ",
    "RHOM": "f) Rhom",
}
ACCOMMODATION = {
    "B": "B: Parents/relatives",
    "C": "C: Community home/residential care",
    "D": "D: Semi-independent, transitional accommodation and self-contained accommodation",
    "E": "E: Supported lodgings",
    "G": "G: Abroad",
    "H": "H: Deported",
    "K": "K: Ordinary lodgings, without formal support",
    "R": "R: Residence not known",
    "S": "S: No fixed adobe/homeless",
    "T": "T: Foyers and similar supported accommodation",
    "U": "U: Independent living",
    "V": "V: Emergency accommodation",
    "W": "W: Bed and breakfast",
    "X": "X: In custody",
    "Y": "Y: Other accommodation",
    "Z": "Z: With former foster carers",
}
IN, OUT = "a) In", "b) Out"
PLACEMENT_LA = {
    "NIR": "NIR - Child placed in Northern Ireland",
    "WAL": "WAL - Child placed in Wales",
    "SCO": "SCO - Child placed in Scotland",
    "NUK": "NUK - Child placed outside the UK",
    "CON": "CON - Child placed in confidential placement",
}
"""LA of Placement: the data map's codes outside England; an English authority's DfE code."""
PERMANENCE_WORDS: list[tuple[str, tuple[str, ...]]] = [
    ("a) Return to family", ("return",)),
    ("b) Adoption", ("adopt",)),
    ("c) SGO/CAO", ("sgo", "cao", "special guardianship", "child arrangements")),
    ("d) Supported living in the community", ("supported living",)),
    ("e) Long-term residential placement", ("residential",)),
    ("f) Long-term fostering", ("fostering", "foster care")),
    ("g) other", ("other",)),
]
"""The permanence plan's options in the data map's order, and the words that name each."""
FFA_PLACEMENTS = frozenset({"U2", "U5"})
"""903 placement types that are fostering for adoption (FFA) or concurrent planning."""
SUITABLE, UNSUITABLE = "a) Suitable", "b) Unsuitable"
ACTIVITY = {
    "F1": "F1: Full time in higher education",
    "P1": "P1: Part time in higher education",
    "F2": "F2: Full time in education other than higher",
    "P2": "P2: Part time in education other than higher",
    "F3": "F3: Full time in training or employment",
    "P3": "P3: Part time in training or employment",
    "F4": "F4: Young person engaged full time in an apprenticeship",
    "P4": "P4: Young person engaged part time in an apprenticeship",
    "F5": "F5: Young person engaged full time in training or employment (not apprenticeship)",
    "P5": "P5: Young person engaged part time in training or employment (not apprenticeship)",
    "G4": "G4: Not in education, employment or training - illness or disability",
    "G5": "G5: Not in education, employment or training - other",
    "G6": "G6: Not in education, employment or training - pregnancy or parenting",
}
ADOPTION_STOPPED = {
    "RD1": "RD1 - The child’s needs changed subsequent to the decision",
    "RD2": "RD2 - The Court did not make a placement order",
    "RD3": "RD3 - Prospective adopters could not be found",
    "RD4": "RD4 - Any other reason",
}

_YES_NO = {YES, NO}
_YES_NO_UNKNOWN = {YES, NO, UNKNOWN}

CATEGORIES: dict[str, set[str]] = {
    "Gender": set(GENDER.values()) | {"d) Neither"},
    "Ethnicity": set(ETHNICITY.values()),
    "Contact Source": set(SOURCE_CODES.values()),
    "Referral Source": set(SOURCE_CODES.values()),
    "Referral NFA?": _YES_NO,
    _DISABILITY: _YES_NO_UNKNOWN,
    "Child Seen During Continuous Assessment": _YES_NO_UNKNOWN,
    "Was the child assessed as requiring LA children's social care support?": _YES_NO_UNKNOWN,
    "Was an Initial Child Protection Conference deemed unnecessary?": _YES_NO,
    "Did the Initial Child Protection Conference Result in a Child Protection Plan": _YES_NO,
    "Primary Need Code": set(NEED.values()),
    "Child's Category of Need": set(NEED.values()),
    "Reason for Closure": set(CLOSURE.values()),
    "Case Status": set(CASE_STATUS.values()),
    "Initial Category of Abuse": set(ABUSE.values()),
    "Latest Category of Abuse": set(ABUSE.values()),
    "Was the Child Seen Alone?": _YES_NO_UNKNOWN,
    LISTS["List 7"][13]: _YES_NO,
    LISTS["List 8"][5]: _YES_NO,
    LISTS["List 8"][9]: _YES_NO,
    "Child's Legal Status": set(LEGAL_STATUS.values()),
    "Reason Ceased to be Looked After": set(CEASED.values()),
    "Placement Type": set(PLACEMENT_TYPE.values()),
    "Placement Provider": set(PROVIDER.values()),
    "Placement Location": {IN, OUT},
    "What is the permanence plan for this child?": {code for code, _ in PERMANENCE_WORDS},
    "Was the child offered a Return Interview after their last missing episode (Y/N)?": (
        _YES_NO_UNKNOWN
    ),
    "Did the child accept a Return Interview after their last missing episode (Y/N)?": (
        _YES_NO_UNKNOWN
    ),
    LISTS["List 9"][5]: _YES_NO,
    "LA in Touch": set(IN_TOUCH.values()),
    "Type of Accommodation": set(ACCOMMODATION.values()),
    "Suitability of Accommodation": {SUITABLE, UNSUITABLE},
    "Activity Status": set(ACTIVITY.values()),
    "Reason Why Child No Longer Placed for Adoption": set(ADOPTION_STOPPED.values()),
}
"""Columns whose cells must be one of the data map's codes (a blank is checked apart)."""

DATE_WORDS = ("Date", "date")

_ID = ["Child Unique ID", "Gender", "Ethnicity"]
_TEAM = ["Allocated Team", "Allocated Worker"]
NOT_BLANK: dict[str, frozenset[str]] = {
    name: frozenset(columns)
    for name, columns in {
        "List 1": [*_ID, "Date of Contact", "Contact Source"],
        "List 2": [*_ID, "Assessment start date", "Organisation completing assessment"],
        "List 3": [
            *_ID,
            "Date of referral",
            "Referral Source",
            "Referral NFA?",
            "Number of Referrals in Last 12 Months",
            *_TEAM,
        ],
        "List 4": [
            *_ID,
            _DISABILITY,
            "Continuous Assessment Start Date",
            "Child Seen During Continuous Assessment",
            *_TEAM,
        ],
        "List 5": [
            *_ID,
            _DISABILITY,
            "Strategy discussion initiating Section 47 Enquiry Start Date",
            "Number of Section 47 Enquiries in the last 12 months",
            "Number of ICPCs in the last 12 months",
            *_TEAM,
        ],
        "List 6": [*_ID, _DISABILITY, "Primary Need Code", "Case Status", *_TEAM],
        "List 7": [
            *_ID,
            _DISABILITY,
            "Child Protection Plan Start Date",
            "Initial Category of Abuse",
            "Latest Category of Abuse",
            LISTS["List 7"][13],
            "Number of Previous Child Protection Plans",
            *_TEAM,
        ],
        "List 8": [
            *_ID,
            LISTS["List 8"][5],
            _DISABILITY,
            "Date Started to be Looked After",
            "Child's Category of Need",
            LISTS["List 8"][9],
            "Start date of current legal status",
            "Child's Legal Status",
            "Number of Placements in the Last 12 months",
            "Start Date of Most Recent Placement",
            "Placement Type",
            "Placement Provider",
            "Placement postcode",
            "Placement Location",
            "LA of Placement",
            LISTS["List 8"][28],
            LISTS["List 8"][29],
            *_TEAM,
        ],
        "List 9": [
            *_ID,
            _DISABILITY,
            *_TEAM,
            "Allocated Personal Advisor",
            "Eligibility Category",
            "LA in Touch",
        ],
        "List 10": [
            *_ID,
            _DISABILITY,
            "Date the Child Entered Care",
            "Date of Decision that Child Should be Placed for Adoption",
        ],
        "List 11": [
            "Individual adopter identifier",
            "Gender",
            "Ethnicity",
            "Disability",
            "Is the (prospective) adopter fostering for adoption?",
            "Date enquiry received",
        ],
    }.items()
}
"""Each list's columns the data map marks ``canbeblank: false`` (every other may be blank).

List 3's "Date of referral" has no ``canbeblank`` of its own in the data map (its anchor
reference is caught inside a header pattern); it is the row's date, so it is here."""
