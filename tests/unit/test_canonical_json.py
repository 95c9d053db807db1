"""canonical_json writes exactly the bytes the stdlib wrote, which every stored hash is over.

It takes a faster path (orjson) for plain values; these tests pin that the bytes, and the
errors, are those of ``json.dumps(sort_keys=True, separators=(",", ":"),
ensure_ascii=False).encode()`` for any JSON-like value, so no stored hash can stop matching.
"""

from __future__ import annotations

import enum
import json
from datetime import date
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.envelope import canonical_json


def _stdlib(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _same_as_stdlib(data: Any) -> None:
    try:
        expected = _stdlib(data)
    except Exception as error:  # noqa: BLE001  (the same error, whatever it is)
        with pytest.raises(type(error)):
            canonical_json(data)
        return
    assert canonical_json(data) == expected


# every code point, lone surrogates included (hypothesis leaves those out by default)
ANY_CHAR = st.characters(codec=None, categories=None)
TEXT = st.one_of(
    st.text(),
    st.text(ANY_CHAR, max_size=20),
    st.text(st.sampled_from('\x00\x01\x08\t\n\x0b\x0c\r\x1f\x7f"\\/\u2028\u2029\ufeff\U0001f600é')),
)
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),  # unbounded: beyond 64 bits too
    st.integers(min_value=-(2**64) - 2, max_value=2**64 + 2),
    st.floats(allow_nan=True, allow_infinity=True),
    TEXT,
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.tuples(inner, inner),
        st.dictionaries(TEXT, inner, max_size=5),
        st.dictionaries(
            st.one_of(TEXT, st.integers(), st.booleans(), st.none()), inner, max_size=4
        ),
    ),
    max_leaves=30,
)


@settings(max_examples=3000)
@given(VALUES)
def test_bytes_and_errors_are_those_of_the_stdlib(data: Any) -> None:
    _same_as_stdlib(data)


@given(st.dictionaries(TEXT, st.one_of(TEXT, st.integers()), max_size=8))
def test_keys_sort_by_code_point_even_outside_the_basic_plane(data: dict[str, Any]) -> None:
    _same_as_stdlib({"\U0001f600": 1, "\uffff": 2, "\ue000": 3, "z": 4, **data})


class Colour(enum.Enum):
    RED = "red"


class Size(enum.IntEnum):
    BIG = 2


class Name(str):
    pass


@pytest.mark.parametrize(
    "data",
    [
        {"a": "\ud800"},  # lone surrogate: the stdlib's UnicodeEncodeError
        [2**64],  # beyond orjson's 64 bits
        [-(2**63) - 1, 2**64 - 1, -(2**63)],
        {"x": [1.0, 1e16, 1e-7, -0.0, float("nan"), float("inf")]},
        {"t": (1, "a")},
        {1: "a", "1": "b"},  # the stdlib writes the int key as a string
        {"c": Colour.RED},  # the stdlib refuses a plain enum (orjson would not)
        {"s": Size.BIG},
        {Name("k"): Name("v")},
        {"d": date(2024, 1, 2)},  # the stdlib refuses a date
    ],
)
def test_values_the_fast_path_leaves_to_the_stdlib(data: Any) -> None:
    _same_as_stdlib(data)


def test_a_value_nested_deeper_than_orjson_allows_is_still_written() -> None:
    deep: Any = 1
    for _ in range(300):
        deep = [deep]
    assert canonical_json({"a": deep}) == _stdlib({"a": deep})
