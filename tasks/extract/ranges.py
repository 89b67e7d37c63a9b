"""Split a key range into contiguous, non-overlapping ranges for parallel reads."""

from __future__ import annotations


def split_range(low: int, high: int, parts: int) -> list[tuple[int, int]]:
    """Half-open ranges [start, end) covering low..high inclusive, at most `parts` of them, none empty."""
    if high < low:
        return []
    span = high - low + 1
    parts = max(1, min(parts, span))
    step, extra = divmod(span, parts)
    ranges, start = [], low
    for index in range(parts):
        end = start + step + (1 if index < extra else 0)
        ranges.append((start, end))
        start = end
    return ranges
