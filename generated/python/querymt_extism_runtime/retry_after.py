"""The retry hint of a failed HTTP response, read as QueryMT's host reads it.

Headers first, in this order, the first one that parses winning: `Retry-After` (whole seconds,
or an HTTP-date, which counts from now and gives nothing once past), `retry-after-ms`
(milliseconds), `x-ratelimit-reset-requests` (seconds, or a duration such as `6m0s`, `20ms`,
`1.5s`). Then the body's `error.retry_after`, `error.retry_after_secs`, `retry_after`,
`retry_after_secs` (a JSON number, or a string read like `x-ratelimit-reset-requests`).

Every duration becomes whole seconds rounded down, except that a positive duration under one
second is 1: `1.5s` is 1, `20ms` is 1, `0s` is 0. A value that does not parse (negative,
garbage, too large for a u64, a header that is not visible ASCII) is skipped.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any

__all__ = ["parse_duration", "retry_after_from_body", "retry_after_from_headers"]

_U64_MAX = 2**64 - 1
_UNSIGNED = re.compile(r"\+?[0-9]+")
_UNITS: dict[str, Fraction] = {
    **dict.fromkeys(("nanos", "nsec", "ns"), Fraction(1, 10**9)),
    **dict.fromkeys(("usec", "us", "µs"), Fraction(1, 10**6)),
    **dict.fromkeys(("millis", "msec", "ms"), Fraction(1, 1000)),
    **dict.fromkeys(("seconds", "second", "secs", "sec", "s"), Fraction(1)),
    **dict.fromkeys(("minutes", "minute", "min", "mins", "m"), Fraction(60)),
    **dict.fromkeys(("hours", "hour", "hr", "hrs", "h"), Fraction(3600)),
    **dict.fromkeys(("days", "day", "d"), Fraction(86400)),
    **dict.fromkeys(("weeks", "week", "w"), Fraction(7 * 86400)),
    **dict.fromkeys(("months", "month", "M"), Fraction(2_630_016)),
    **dict.fromkeys(("years", "year", "y"), Fraction(31_557_600)),
}
_SPAN = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-zµ]+)")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_IMF = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), ([0-9]{2}) ([A-Z][a-z]{2}) ([0-9]{4}) "
    r"([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT"
)
_RFC850 = re.compile(
    r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), ([0-9]{2})-([A-Z][a-z]{2})-"
    r"([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) GMT"
)
_ASCTIME = re.compile(
    r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ([A-Z][a-z]{2}) ([ 0-9][0-9]) ([0-9]{2}):([0-9]{2}):"
    r"([0-9]{2}) ([0-9]{4})"
)


def _whole_seconds(seconds: Fraction) -> int:
    """Rounded down, but a positive part of a second is 1 (QueryMT's `duration_to_secs`)."""
    return 1 if 0 < seconds < 1 else int(seconds)


def _unsigned(text: str) -> int | None:
    if _UNSIGNED.fullmatch(text):
        value = int(text)
        return value if value <= _U64_MAX else None
    return None


def parse_duration(text: str) -> int | None:
    """Whole seconds of a duration value: an integer (seconds), or spans like `1m30s`,
    `1.5s`, `20ms`, `2h 15m` (None if it is neither)."""
    text = text.strip()
    whole = _unsigned(text)
    if whole is not None:
        return whole
    total, position = Fraction(0), 0
    while position < len(text):
        span = _SPAN.match(text, position)
        if span is None or span.group(2) not in _UNITS:
            return None
        total += Fraction(span.group(1)) * _UNITS[span.group(2)]
        position = span.end()
        while position < len(text) and text[position].isspace():
            position += 1
    if position == 0 or total > _U64_MAX:
        return None
    return _whole_seconds(total)


def _http_date(text: str) -> int | None:
    """Seconds since the epoch of an IMF-fixdate, RFC 850 or asctime date (None otherwise)."""
    if not text.isascii():
        return None
    if found := _IMF.fullmatch(text):
        day, month, year, hour, minute, second = found.groups()
    elif found := _RFC850.fullmatch(text):
        day, month, short_year, hour, minute, second = found.groups()
        year = str(int(short_year) + (2000 if int(short_year) < 70 else 1900))
    elif found := _ASCTIME.fullmatch(text):
        month, day, hour, minute, second, year = found.groups()
    else:
        return None
    if month not in _MONTHS or not day.strip().isdigit():
        return None
    fields = (int(day), int(year), int(hour), int(minute), int(second))
    day_n, year_n, hour_n, minute_n, second_n = fields
    if not (
        1 <= day_n <= 31
        and 1970 <= year_n <= 9999
        and hour_n < 24
        and minute_n < 60
        and second_n < 60
    ):
        return None
    # Day 31 of a short month runs on into the next one, as the month's first day plus 30.
    first = calendar.timegm((year_n, _MONTHS.index(month) + 1, 1, hour_n, minute_n, second_n))
    return first + (day_n - 1) * 86400


def _retry_after(text: str, now: Callable[[], float]) -> int | None:
    whole = _unsigned(text.strip())
    if whole is not None:
        return whole
    target = _http_date(text.strip())
    if target is None:
        return None
    left = Fraction(target) - Fraction(now())
    return _whole_seconds(left) if left >= 0 else None


def _milliseconds(text: str) -> int | None:
    millis = _unsigned(text)  # not stripped: QueryMT parses this value as it is
    return None if millis is None else _whole_seconds(Fraction(millis, 1000))


def _visible(values: Sequence[str] | None) -> str | None:
    """The first value, if it is one QueryMT can read as text (visible ASCII and tab)."""
    if not values:
        return None
    value = values[0]
    return value if all(c == "\t" or " " <= c <= "~" for c in value) else None


def retry_after_from_headers(
    headers: Mapping[str, Sequence[str]], now: Callable[[], float] = time.time
) -> int | None:
    """The headers' retry hint in seconds (headers: lowercase name -> values)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    readers: tuple[tuple[str, Callable[[str], int | None]], ...] = (
        ("retry-after", lambda text: _retry_after(text, now)),
        ("retry-after-ms", _milliseconds),
        ("x-ratelimit-reset-requests", parse_duration),
    )
    for name, read in readers:
        value = _visible(lowered.get(name))
        seconds = read(value) if value is not None else None
        if seconds is not None:
            return seconds
    return None


def _json_value(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if value != value:  # NaN is no JSON number
            return None
        seconds = min(max(int(value), 0), _U64_MAX) if value < 2**64 else _U64_MAX
        return seconds if seconds > 0 else (1 if value > 0 else 0)
    if isinstance(value, str):
        return parse_duration(value)
    return None


def retry_after_from_body(document: Any) -> int | None:
    """The retry hint a parsed JSON body carries (`error.retry_after`, ... in that order)."""
    if not isinstance(document, dict):
        return None
    error = document.get("error")
    holders = ([error] if isinstance(error, dict) else []) + [document]
    for holder in holders:
        for key in ("retry_after", "retry_after_secs"):
            seconds = _json_value(holder[key]) if key in holder else None
            if seconds is not None:
                return seconds
    return None
