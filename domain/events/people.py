"""People: the child, the family and network around them, and the ties between them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import Field, field_validator, model_validator

from domain.codes import Ethnicity, Sex
from domain.events.base import PERSON_ID_PATTERN, CaseEvent, Category
from domain.identifiers import is_valid_upn
from domain.nhs_number import NhsNumberText


class PersonRole(StrEnum):
    """Who a person is to the child. Professionals belong to the ecomap, not the family tree."""

    MOTHER = "mother"
    FATHER = "father"
    PARENT = "parent"
    STEP_PARENT = "step_parent"
    PARENTS_PARTNER = "parents_partner"
    SIBLING = "sibling"
    HALF_SIBLING = "half_sibling"
    GRANDPARENT = "grandparent"
    AUNT_UNCLE = "aunt_uncle"
    OTHER_RELATIVE = "other_relative"
    FOSTER_CARER = "foster_carer"
    ADOPTIVE_PARENT = "adoptive_parent"
    SPECIAL_GUARDIAN = "special_guardian"
    FAMILY_FRIEND = "family_friend"
    PROFESSIONAL = "professional"
    OTHER = "other"


class RelationshipKind(StrEnum):
    """Kinds of tie a genogram keeps apart: kinship, legal/household, and the emotional overlay."""

    # kinship: parent-child links (from = parent, to = child)
    BIRTH_PARENT = "birth_parent"
    ADOPTIVE_PARENT = "adoptive_parent"
    STEP_PARENT = "step_parent"
    FOSTER_PARENT = "foster_parent"
    SPECIAL_GUARDIAN = "special_guardian"
    # kinship: partners
    MARRIED = "married"
    CIVIL_PARTNERS = "civil_partners"
    COHABITING = "cohabiting"
    DATING = "dating"
    SEPARATED = "separated"
    DIVORCED = "divorced"
    # kinship: siblings
    FULL_SIBLING = "full_sibling"
    HALF_SIBLING = "half_sibling"
    STEP_SIBLING = "step_sibling"
    TWIN = "twin"
    # legal and household
    PARENTAL_RESPONSIBILITY = "parental_responsibility"
    HOUSEHOLD_MEMBER = "household_member"
    # emotional and harm overlay
    CLOSE = "close"
    CONFLICT = "conflict"
    CUT_OFF = "cut_off"
    ABUSE = "abuse"


class ChildRegistered(CaseEvent):
    """The child's record opens. An unborn child has an expected date instead of a birth date."""

    category = Category.PEOPLE
    significant_by_default = True
    title = "Child registered"

    data_protection = {
        "first_name": "child:name",
        "last_name": "child:name",
        "sex": "child:characteristic",
        "gender_identity": "child:characteristic",
        "date_of_birth": "child:date_of_birth",
        "expected_date_of_birth": "child:date_of_birth",
        "ethnicity": "child:characteristic",
        "upn": "child:identifier",
        "nhs_number": "child:identifier",
        "case_number": "child:identifier",
        "family_id": "-",
        "disabilities": "child:characteristic",
        "unaccompanied_asylum_seeking": "-",
    }

    first_name: str = Field(min_length=1, max_length=100)
    last_name: str = Field(min_length=1, max_length=100)
    sex: Sex
    gender_identity: str | None = Field(default=None, max_length=60)
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    ethnicity: Ethnicity = Ethnicity.NOT_OBTAINED
    upn: str | None = Field(default=None, pattern=r"^[A-Z][0-9]{11}[0-9A-Z]$")
    nhs_number: NhsNumberText | None = None
    case_number: str | None = Field(default=None, max_length=40)
    family_id: str | None = Field(
        default=None, pattern=PERSON_ID_PATTERN, description="Groups siblings for family views."
    )
    disabilities: list[str] = Field(default_factory=list)
    unaccompanied_asylum_seeking: bool = False

    @field_validator("upn")
    @classmethod
    def _upn_check_letter(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_upn(value):
            raise ValueError(
                "fails the DfE check letter (the first letter is derived from the digits)"
            )
        return value

    @model_validator(mode="after")
    def _born_or_expected(self) -> ChildRegistered:
        if self.date_of_birth is None and self.expected_date_of_birth is None:
            raise ValueError("date_of_birth or expected_date_of_birth is required")
        if self.date_of_birth is not None and self.expected_date_of_birth is not None:
            raise ValueError("give date_of_birth or expected_date_of_birth, not both")
        return self


class ChildBorn(CaseEvent):
    """An unborn child's birth is recorded."""

    category = Category.PEOPLE
    significant_by_default = True

    data_protection = {
        "date_of_birth": "child:date_of_birth",
        "sex": "child:characteristic",
        "first_name": "child:name",
    }

    date_of_birth: date
    sex: Sex
    first_name: str | None = Field(default=None, max_length=100)


class PersonAdded(CaseEvent):
    """Someone in the child's family or network is added to the record."""

    category = Category.PEOPLE

    data_protection = {
        "person_id": "-",
        "role": "-",
        "first_name": "person:name",
        "last_name": "person:name",
        "sex": "person:characteristic",
        "gender_identity": "person:characteristic",
        "date_of_birth": "person:date_of_birth",
        "expected_date_of_birth": "person:date_of_birth",
        "deceased": "-",
        "date_of_death": "person:date_of_birth",
        "alleged_perpetrator": "-",
        "organisation": "-",
        "is_child_record": "-",
    }

    person_id: str = Field(pattern=PERSON_ID_PATTERN)
    role: PersonRole
    first_name: str = Field(min_length=1, max_length=100)
    last_name: str | None = Field(default=None, max_length=100)
    sex: Sex = Sex.UNKNOWN
    gender_identity: str | None = Field(default=None, max_length=60)
    date_of_birth: date | None = None
    expected_date_of_birth: date | None = None
    deceased: bool = False
    date_of_death: date | None = None
    alleged_perpetrator: bool = False
    organisation: str | None = Field(default=None, max_length=120)
    is_child_record: str | None = Field(
        default=None,
        description="The child id, where this person is a child with their own record.",
    )

    @model_validator(mode="after")
    def _death(self) -> PersonAdded:
        if self.date_of_death is not None and not self.deceased:
            raise ValueError("date_of_death given but deceased is false")
        return self


class PersonDied(CaseEvent):
    """A person in the child's network has died."""

    category = Category.PEOPLE
    significant_by_default = True

    data_protection = {
        "person_id": "-",
        "date_of_death": "person:date_of_birth",
    }

    person_id: str = Field(pattern=PERSON_ID_PATTERN)
    date_of_death: date


class RelationshipRecorded(CaseEvent):
    """A tie between two people (or a person and the child, whose person id is the child id)."""

    category = Category.PEOPLE

    data_protection = {
        "relationship_id": "-",
        "relationship": "-",
        "from_person": "-",
        "to_person": "-",
        "started_on": "-",
        "disputed": "-",
        "household_id": "-",
        "household_label": "child:address",
        "directed": "-",
    }

    relationship_id: str = Field(pattern=PERSON_ID_PATTERN)
    relationship: RelationshipKind
    from_person: str = Field(pattern=PERSON_ID_PATTERN)
    to_person: str = Field(pattern=PERSON_ID_PATTERN)
    started_on: date | None = None
    disputed: bool = False
    household_id: str | None = Field(default=None, max_length=64)
    household_label: str | None = Field(
        default=None,
        min_length=1,
        max_length=80,
        description="For household_member: how people know the household (an address "
        "label such as 'Family home, Tang Hall'); the genogram names the household by it.",
    )
    directed: bool = Field(default=False, description="For abuse: from_person harms to_person.")

    @model_validator(mode="after")
    def _distinct(self) -> RelationshipRecorded:
        if self.from_person == self.to_person:
            raise ValueError("from_person and to_person must differ")
        if self.household_label is not None and self.relationship is not (
            RelationshipKind.HOUSEHOLD_MEMBER
        ):
            raise ValueError("household_label is only for a household_member relationship")
        return self


class RelationshipEnded(CaseEvent):
    """A tie ends: a separation, parental responsibility removed by an order, a move out."""

    category = Category.PEOPLE

    data_protection = {
        "relationship_id": "-",
        "ended_on": "-",
        "reason": "child:free_text",
    }

    relationship_id: str = Field(pattern=PERSON_ID_PATTERN)
    ended_on: date
    reason: str = Field(min_length=1, max_length=500)
