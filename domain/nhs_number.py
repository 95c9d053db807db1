"""The NHS number: the consistent child identifier (Children Act 2004 s16LC) and its check digit.

Section 16LC (inserted by the Children's Wellbeing and Schools Act 2026 s4) lets regulations
specify a *consistent identifier* for children; the NHS number is the announced choice. An NHS
number is ten digits, the last a modulus-11 check digit over the first nine:

- multiply the first nine digits by the weights 10, 9, ..., 2 and add the products;
- the check digit is 11 minus (that sum modulo 11); 11 becomes 0;
- a result of 10 is never issued: such a number is invalid.

Numbers starting 999 are the NHS's own reserved test range; every number in this repository's
tests and synthetic data comes from it (:func:`synthetic_nhs_number`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from pydantic import BeforeValidator

NHS_NUMBER_RULE = (
    "an NHS number is 10 digits whose last digit is the modulus-11 check digit of the first "
    "nine (weights 10 to 2; check = 11 - (sum mod 11), 11 means 0, 10 is never valid)"
)
TEST_RANGE_PREFIX = "999"
"""The NHS's reserved test range: synthetic numbers start with these digits."""

_WEIGHTS = range(10, 1, -1)


def nhs_check_digit(body: str) -> int | None:
    """The check digit for the first nine digits, or None when no valid number has them."""
    if len(body) != 9 or not body.isdigit():
        raise ValueError("an NHS number's body is 9 digits")
    total = sum(int(digit) * weight for digit, weight in zip(body, _WEIGHTS, strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


@dataclass(frozen=True, slots=True)
class NhsNumber:
    """A valid NHS number (ten digits, check digit correct). Build with :meth:`parse`."""

    digits: str

    def __post_init__(self) -> None:
        problem = nhs_number_problem(self.digits)
        if problem is not None:
            raise ValueError(problem)

    @classmethod
    def parse(cls, text: str) -> NhsNumber:
        """From text as people write it: spaces or hyphens between the groups are allowed."""
        return cls(_compact(text))

    @property
    def formatted(self) -> str:
        """The 3-3-4 grouping NHS documents use (``999 123 4560``)."""
        return f"{self.digits[:3]} {self.digits[3:6]} {self.digits[6:]}"

    @property
    def is_test_number(self) -> bool:
        return self.digits.startswith(TEST_RANGE_PREFIX)

    def __str__(self) -> str:
        return self.digits


def _compact(text: str) -> str:
    return text.strip().replace(" ", "").replace("-", "")


def nhs_number_problem(digits: str) -> str | None:
    """Why ``digits`` is not a valid NHS number (naming the rule broken), or None if it is."""
    if len(digits) != 10 or not digits.isdigit():
        return f"{digits!r} is not 10 digits: {NHS_NUMBER_RULE}"
    expected = nhs_check_digit(digits[:9])
    if expected is None:
        return (
            f"{digits!r} cannot be an NHS number: its first nine digits give check value 10, "
            f"which is never issued ({NHS_NUMBER_RULE})"
        )
    if int(digits[9]) != expected:
        return (
            f"{digits!r} fails the NHS number check digit: expected {expected} as the last "
            f"digit, not {digits[9]} ({NHS_NUMBER_RULE})"
        )
    return None


def _validated(value: Any) -> Any:
    """Pydantic hook: an NHS number field holds the compact digits of a valid number."""
    if isinstance(value, NhsNumber):
        return value.digits
    if not isinstance(value, str):
        raise ValueError(f"an NHS number is given as text, not {type(value).__name__}")
    return NhsNumber.parse(value).digits


NhsNumberText = Annotated[str, BeforeValidator(_validated)]
"""A field type: accepts ``"999 000 0000"``-style text, stores the ten digits, refuses bad ones."""


def synthetic_nhs_number(serial: int) -> NhsNumber:
    """The ``serial``-th valid number (from 0) of the 999 test range: never a real person's.

    Distinct serials give distinct numbers (bodies whose check value is 10 are skipped).
    """
    if serial < 0:
        raise ValueError("serial must be 0 or more")
    seen = -1
    for body in range(1_000_000):
        text = f"{TEST_RANGE_PREFIX}{body:06d}"
        check = nhs_check_digit(text)
        if check is None:
            continue
        seen += 1
        if seen == serial:
            return NhsNumber(text + str(check))
    raise ValueError("the 999 test range holds fewer valid numbers than that")
