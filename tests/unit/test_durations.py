"""`--ttl` / `--token-ttl` values: how a lifetime is read and how it is printed back."""

from __future__ import annotations

import pytest

from mock_server.durations import format_duration, parse_duration


@pytest.mark.parametrize(("text", "seconds"), [
    ("30s", 30), ("15m", 900), ("8h", 28_800), ("2d", 172_800), ("3600", 3600), (" 8H ", 28_800), ("366d", 31_622_400),
])
def test_a_lifetime_is_read_in_its_unit(text: str, seconds: int) -> None:
    assert parse_duration("--ttl", text) == seconds


@pytest.mark.parametrize("text", ["", "0", "0h", "-5", "8x", "h", "1.5h", "8 h", "367d", "8hours",
                                  pytest.param("1" * 5000, id="5000-digits")])
def test_anything_else_is_a_value_error_naming_the_option(text: str) -> None:
    with pytest.raises(ValueError, match=r"^--token-ttl .*30s, 15m, 8h, 2d"):
        parse_duration("--token-ttl", text)


@pytest.mark.parametrize(("seconds", "text"), [
    (45, "45s"), (60, "1m"), (5400, "90m"), (3600, "1h"), (28_800, "8h"), (86_400, "1d"), (90_000, "25h"),
])
def test_a_lifetime_is_printed_in_the_largest_unit_that_divides_it(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
