"""DfE code lists the statutory returns need, as enums.

Sources: Children in need census 2025 to 2026 guide and specification (CIN), and
SSDA903 children looked after return 2025 to 2026 guide (903). Each value's
description is the DfE's wording, shortened.
"""

from __future__ import annotations

from enum import StrEnum


class ReferralSource(StrEnum):
    """CIN census ReferralSource (N00152)."""

    INDIVIDUAL_FAMILY = "1A"
    INDIVIDUAL_RELATIVE = "1B"
    INDIVIDUAL_SELF = "1C"
    INDIVIDUAL_OTHER = "1D"
    SCHOOLS = "2A"
    EDUCATION_OTHER = "2B"
    HEALTH_GP = "3A"
    HEALTH_VISITOR = "3B"
    HEALTH_SCHOOL_NURSE = "3C"
    HEALTH_OTHER_PRIMARY = "3D"
    HEALTH_A_AND_E = "3E"
    HEALTH_OTHER = "3F"
    HOUSING = "4"
    LA_SOCIAL_CARE = "5A"
    LA_OTHER_INTERNAL = "5B"
    LA_EXTERNAL = "5C"
    LA_OTHER = "5D"
    POLICE = "6"
    OTHER_LEGAL_AGENCY = "7"
    OTHER = "8"
    ANONYMOUS = "9"
    UNKNOWN = "10"


class PrimaryNeed(StrEnum):
    """CIN census PrimaryNeedCode (N00101)."""

    ABUSE_OR_NEGLECT = "N1"
    DISABILITY = "N2"
    PARENTAL_ILLNESS_DISABILITY = "N3"
    FAMILY_IN_ACUTE_STRESS = "N4"
    FAMILY_DYSFUNCTION = "N5"
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "N6"
    LOW_INCOME = "N7"
    ABSENT_PARENTING = "N8"
    CASES_OTHER_THAN_CHILDREN_IN_NEED = "N9"
    NOT_STATED = "N0"


class AssessmentFactor(StrEnum):
    """CIN census FactorsIdentifiedAtAssessment (N00181).

    Checked against the DfE code list the CIN validator holds (rule 8897Q): 18A and 19A
    are withdrawn (rules 8945Q/8950Q), 21 means "no factors identified" and may not be
    combined with another code (rule 8869).
    """

    ALCOHOL_CHILD = "1A"
    ALCOHOL_PARENT = "1B"
    ALCOHOL_OTHER = "1C"
    DRUGS_CHILD = "2A"
    DRUGS_PARENT = "2B"
    DRUGS_OTHER = "2C"
    DOMESTIC_ABUSE_CHILD = "3A"
    DOMESTIC_ABUSE_PARENT = "3B"
    DOMESTIC_ABUSE_OTHER = "3C"
    MENTAL_HEALTH_CHILD = "4A"
    MENTAL_HEALTH_PARENT = "4B"
    MENTAL_HEALTH_OTHER = "4C"
    LEARNING_DISABILITY_CHILD = "5A"
    LEARNING_DISABILITY_PARENT = "5B"
    LEARNING_DISABILITY_OTHER = "5C"
    PHYSICAL_DISABILITY_CHILD = "6A"
    PHYSICAL_DISABILITY_PARENT = "6B"
    PHYSICAL_DISABILITY_OTHER = "6C"
    YOUNG_CARER = "7A"
    PRIVATELY_FOSTERED_OVERSEAS_RETURNING = "8B"
    PRIVATELY_FOSTERED_OVERSEAS_STAYING = "8C"
    PRIVATELY_FOSTERED_UK_EDUCATION = "8D"
    PRIVATELY_FOSTERED_UK_STAYING = "8E"
    PRIVATELY_FOSTERED = "8F"
    UASC = "9A"
    GOING_MISSING = "10A"
    CHILD_SEXUAL_EXPLOITATION = "11A"
    TRAFFICKING = "12A"
    GANGS = "13A"
    SOCIALLY_UNACCEPTABLE_BEHAVIOUR = "14A"
    SELF_HARM = "15A"
    NEGLECT = "16A"
    EMOTIONAL_ABUSE = "17A"
    PHYSICAL_ABUSE = "18B"
    PHYSICAL_ABUSE_BY_CHILD = "18C"
    SEXUAL_ABUSE = "19B"
    SEXUAL_ABUSE_OTHER = "19C"
    FGM = "20"
    NO_FACTORS_IDENTIFIED = "21"
    FAITH_OR_BELIEF_ABUSE = "22A"
    CHILD_CRIMINAL_EXPLOITATION = "23A"
    OTHER = "24A"


class ChildProtectionCategory(StrEnum):
    """CIN census InitialCategoryOfAbuse / LatestCategoryOfAbuse (N00113/N00114)."""

    NEGLECT = "NEG"
    PHYSICAL = "PHY"
    SEXUAL = "SAB"
    EMOTIONAL = "EMO"
    MULTIPLE = "MUL"


class LegalStatus(StrEnum):
    """SSDA903 LS: legal status of a looked-after child."""

    INTERIM_CARE_ORDER = "C1"
    FULL_CARE_ORDER = "C2"
    FREED_FOR_ADOPTION = "D1"
    PLACEMENT_ORDER = "E1"
    REMAND_LA_ACCOMMODATION = "J1"
    PACE_TRANSFER = "J2"
    SENTENCED_SUPERVISION_RESIDENCE = "J3"
    POLICE_PROTECTION = "L1"
    EMERGENCY_PROTECTION_ORDER = "L2"
    CHILD_ASSESSMENT_ORDER = "L3"
    SECTION_20_SINGLE_PERIOD = "V2"
    SHORT_BREAK_SINGLE = "V3"
    SHORT_BREAK_SERIES = "V4"


class PlacementType(StrEnum):
    """SSDA903 PLACE: placement type, as valid for 2025-26 (validator rule 146).

    From 2025-26 H5 became K3 (Ofsted-registered supported accommodation, age 16+),
    P2 is withdrawn and Z1 is split into Z11-Z14.
    """

    PLACED_FOR_ADOPTION_PARENT_FOSTER = "A3"
    PLACED_FOR_ADOPTION_NOT_PARENT_FOSTER = "A4"
    PLACED_FOR_ADOPTION_FFA_CONSENT = "A5"
    PLACED_FOR_ADOPTION_FFA_ORDER = "A6"
    SECURE_CHILDRENS_HOME = "K1"
    CHILDRENS_HOME = "K2"
    SUPPORTED_ACCOMMODATION = "K3"
    PLACED_WITH_PARENTS = "P1"
    RESIDENTIAL_EMPLOYMENT = "P3"
    RESIDENTIAL_CARE_HOME = "R1"
    NHS_HEALTH_PROVIDER = "R2"
    FAMILY_CENTRE = "R3"
    YOUNG_OFFENDER_INSTITUTION = "R5"
    RESIDENTIAL_SCHOOL = "S1"
    TEMPORARY_FOSTER = "T0"
    TEMPORARY_SHORT_BREAK = "T1"
    TEMPORARY_SHORT_BREAK_OTHER = "T2"
    TEMPORARY_SHORT_BREAK_HOLIDAY = "T3"
    TEMPORARY_SHORT_BREAK_OTHER_PLACEMENT = "T4"
    FOSTER_RELATIVE_FRIEND_LONG_TERM = "U1"
    FOSTER_RELATIVE_FRIEND_FFA = "U2"
    FOSTER_RELATIVE_FRIEND_OTHER = "U3"
    FOSTER_OTHER_LONG_TERM = "U4"
    FOSTER_OTHER_FFA = "U5"
    FOSTER_OTHER = "U6"
    OTHER_Z11 = "Z11"
    OTHER_Z12 = "Z12"
    OTHER_Z13 = "Z13"
    OTHER_Z14 = "Z14"


class PlacementProvider(StrEnum):
    """SSDA903 PLACE_PROVIDER (validator rule 178); not given for T0-T3 and Z11-Z14."""

    PARENTS = "PR0"
    OWN_LA = "PR1"
    OTHER_LA = "PR2"
    OTHER_PUBLIC = "PR3"
    PRIVATE = "PR4"
    VOLUNTARY = "PR5"


class ReasonEpisodeCeased(StrEnum):
    """SSDA903 REC: reason the episode ceased (validator rule 149).

    E45-E48 are all special guardianship orders (E45/E46 to former foster carers, so the
    last placement must be U1-U6); E41 is a residence or child arrangements order.
    """

    ADOPTED_APPLICATION_UNOPPOSED = "E11"
    ADOPTED_APPLICATION_OPPOSED = "E12"
    LEFT_CARE_TO_LIVE_WITH_NON_PR_PERSON = "E13"
    REMAND_ENDED = "E14"
    AGE_ASSESSED_OVER_18 = "E15"
    CHILD_MOVED_ABROAD = "E16"
    AGED_18_REMAINED_WITH_CURRENT_CARERS = "E17"
    DIED = "E2"
    CARE_TAKEN_BY_ANOTHER_LA = "E3"
    RETURNED_HOME_PART_OF_PLAN = "E4A"
    RETURNED_HOME_NOT_PART_OF_PLAN = "E4B"
    CHILD_ARRANGEMENTS_ORDER = "E41"
    SGO_FORMER_FOSTER_CARERS_RELATIVE = "E45"
    SGO_FORMER_FOSTER_CARERS_OTHER = "E46"
    SGO_OTHER_CARERS_RELATIVE = "E47"
    SGO_OTHER_CARERS_OTHER = "E48"
    MOVED_TO_INDEPENDENT_LIVING_SUPPORTED = "E5"
    MOVED_TO_INDEPENDENT_LIVING_NOT_SUPPORTED = "E6"
    TRANSFERRED_TO_ADULT_SOCIAL_CARE = "E7"
    PERIOD_OF_CARE_ENDED_OTHER = "E8"
    SENTENCED_TO_CUSTODY = "E9"
    EPISODE_CEASED_CARE_CONTINUES = "X1"


class ReasonNewEpisode(StrEnum):
    """SSDA903 RNE: reason for a new episode."""

    STARTED_TO_BE_LOOKED_AFTER = "S"
    CHANGE_OF_LEGAL_STATUS_ONLY = "L"
    CHANGE_OF_PLACEMENT_ONLY = "P"
    CHANGE_OF_PLACEMENT_AND_LEGAL_STATUS = "B"
    CHANGE_OF_PLACEMENT_SAME_CARER = "T"
    CHANGE_OF_PLACEMENT_SAME_CARER_STATUS = "U"


class ReasonPlacementChange(StrEnum):
    """SSDA903 REASON_PLACE_CHANGE."""

    APPROVAL_REMOVED = "APPRR"
    ALLEGATION = "ALLEG"
    CARER_REQUESTED_BEHAVIOUR = "CREQB"
    CARER_REQUESTED_OTHER = "CREQO"
    CHILD_REQUESTED = "CHILD"
    CARE_PLAN_CHANGE = "CARPL"
    LA_REQUESTED = "LAREQ"
    PLACEMENT_CLOSED = "CLOSE"
    STANDARDS_CONCERN = "STAND"
    CUSTODY = "CUSTOD"
    CHANGE_IN_PLACEMENT_STATUS_ONLY = "PLACE"
    OTHER = "OTHER"


class ReviewParticipation(StrEnum):
    """SSDA903 REVIEW_CODE: how the child took part in the review."""

    UNDER_FOUR = "PN0"
    SPOKE_FOR_SELF = "PN1"
    ADVOCATE = "PN2"
    CONVEYED_VIEWS_SYMBOL = "PN3"
    BRIEFED_ADVOCATE = "PN4"
    VIEWS_CONVEYED_FACILITATIVELY = "PN5"
    NO_PARTICIPATION_VIEWS_SOUGHT = "PN6"
    NO_PARTICIPATION_NO_VIEWS = "PN7"


class ClosureReason(StrEnum):
    """CIN census ReasonForClosure (N00103)."""

    ADOPTED = "RC1"
    DIED = "RC2"
    CHILD_ARRANGEMENT_ORDER = "RC3"
    SPECIAL_GUARDIANSHIP_ORDER = "RC4"
    TRANSFERRED_TO_OTHER_LA = "RC5"
    TRANSFERRED_TO_ADULT_SERVICES = "RC6"
    SERVICES_CEASED_OTHER = "RC7"
    CASE_CLOSED_AFTER_ASSESSMENT_NO_FURTHER_ACTION = "RC8"
    CASE_CLOSED_AFTER_ASSESSMENT_REFERRED_TO_EARLY_HELP = "RC9"


class Disability(StrEnum):
    """CIN census Disability (N00099), validator rule 8540; NONE when the child has none."""

    NONE = "NONE"
    MOBILITY = "MOB"
    HAND_FUNCTION = "HAND"
    PERSONAL_CARE = "PC"
    INCONTINENCE = "INC"
    COMMUNICATION = "COMM"
    LEARNING = "LD"
    HEARING = "HEAR"
    VISION = "VIS"
    BEHAVIOUR = "BEH"
    CONSCIOUSNESS = "CON"
    AUTISM = "AUT"
    OTHER_DDA = "DDA"


class Sex(StrEnum):
    """Sex as recorded for statutory returns, kept apart from gender identity."""

    MALE = "M"
    FEMALE = "F"
    UNKNOWN = "U"


class Ethnicity(StrEnum):
    """DfE ethnicity codes (CIN and SSDA903)."""

    WHITE_BRITISH = "WBRI"
    WHITE_IRISH = "WIRI"
    WHITE_OTHER = "WOTH"
    TRAVELLER_IRISH = "WIRT"
    GYPSY_ROMA = "WROM"
    MIXED_WHITE_BLACK_CARIBBEAN = "MWBC"
    MIXED_WHITE_BLACK_AFRICAN = "MWBA"
    MIXED_WHITE_ASIAN = "MWAS"
    MIXED_OTHER = "MOTH"
    ASIAN_INDIAN = "AIND"
    ASIAN_PAKISTANI = "APKN"
    ASIAN_BANGLADESHI = "ABAN"
    ASIAN_OTHER = "AOTH"
    BLACK_CARIBBEAN = "BCRB"
    BLACK_AFRICAN = "BAFR"
    BLACK_OTHER = "BOTH"
    CHINESE = "CHNE"
    OTHER = "OOTH"
    REFUSED = "REFU"
    NOT_OBTAINED = "NOBT"


class Section47Outcome(StrEnum):
    """What a section 47 enquiry concluded."""

    NO_FURTHER_ACTION = "nfa"
    CHILD_IN_NEED = "cin"
    INITIAL_CONFERENCE = "icpc"


class OrderKind(StrEnum):
    """Orders a court (or the police) can make about a child."""

    INTERIM_CARE_ORDER = "interim_care_order"
    CARE_ORDER = "care_order"
    INTERIM_SUPERVISION_ORDER = "interim_supervision_order"
    SUPERVISION_ORDER = "supervision_order"
    PLACEMENT_ORDER = "placement_order"
    SPECIAL_GUARDIANSHIP_ORDER = "special_guardianship_order"
    CHILD_ARRANGEMENTS_ORDER = "child_arrangements_order"
    ADOPTION_ORDER = "adoption_order"
    EMERGENCY_PROTECTION_ORDER = "emergency_protection_order"
    POLICE_PROTECTION = "police_protection"
    CHILD_ASSESSMENT_ORDER = "child_assessment_order"
    DISCHARGE_OF_CARE_ORDER = "discharge_of_care_order"


# Legal statuses that need an order (or police protection) in force on the child.
LEGAL_STATUS_NEEDS_ORDER: dict[LegalStatus, tuple[OrderKind, ...]] = {
    LegalStatus.INTERIM_CARE_ORDER: (OrderKind.INTERIM_CARE_ORDER,),
    LegalStatus.FULL_CARE_ORDER: (OrderKind.CARE_ORDER,),
    LegalStatus.PLACEMENT_ORDER: (OrderKind.PLACEMENT_ORDER,),
    LegalStatus.POLICE_PROTECTION: (OrderKind.POLICE_PROTECTION,),
    LegalStatus.EMERGENCY_PROTECTION_ORDER: (OrderKind.EMERGENCY_PROTECTION_ORDER,),
    LegalStatus.CHILD_ASSESSMENT_ORDER: (OrderKind.CHILD_ASSESSMENT_ORDER,),
}
