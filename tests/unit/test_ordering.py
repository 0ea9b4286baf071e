"""conformance/ordering.py: a list is judged out of order only where every collation a server may use
agrees (the pages state none). Expected orders below are written out by hand."""

from __future__ import annotations

import pytest

from conformance.ordering import misplaced


@pytest.mark.parametrize("values", [
    ["Apple", "Banana", "apple", "banana"],      # code point: upper case first
    ["Apple", "apple", "Banana", "banana"],      # case-insensitive (MySQL *_ci)
    ["apple", "Apple", "banana", "Banana"],      # case-insensitive, the other way round within a tie
    ["a b", "ab", "abc"],                        # code point: the space sorts first
    ["ab", "a b", "abc"],                        # a language collation ignores the space first
    ["Zoë", "anna", "Émile", "bob"],             # non-ASCII names are not judged against anything
    [1, 2, 2, 10, 11.5],                         # numbers compare as numbers, not as text
    [None, None, "a", "b"],                      # nulls first
    ["a", "b", None],                            # nulls last
])
def test_orders_a_server_may_legitimately_produce_pass(values: list[object]) -> None:
    assert misplaced(values, descending=False) is None


@pytest.mark.parametrize("values, pair", [
    (["banana", "apple"], ("banana", "apple")),          # every collation puts apple first
    (["Delta", "alpha", "Charlie"], ("Delta", "Charlie")),   # Delta/alpha and alpha/Charlie depend on case
    ([10, 2], (10, 2)),                                   # 2 < 10 as numbers
    (["2026-03-01", "2026-01-15"], ("2026-03-01", "2026-01-15")),
    (["b", "Zoë", "a"], ("b", "a")),                      # the non-ASCII value is skipped, not the comparison
])
def test_an_unambiguous_inversion_is_found(values: list[object], pair: tuple[object, object]) -> None:
    assert misplaced(values, descending=False) == pair


def test_descending_is_the_mirror() -> None:
    assert misplaced(["b", "B", "a"], descending=True) is None
    assert misplaced(["a", "b"], descending=True) == ("a", "b")


def test_nulls_in_the_middle_are_out_of_order() -> None:
    assert misplaced(["a", None, "b"], descending=False) == (None, None)


def test_texts_that_differ_only_in_case_are_never_judged() -> None:
    assert misplaced(["b", "B"], descending=False) is None
    assert misplaced(["B", "b"], descending=False) is None
