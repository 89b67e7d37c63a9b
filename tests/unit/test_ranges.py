import itertools

import pytest

from tasks.extract.ranges import split_range


@pytest.mark.parametrize(
    ("low", "high", "parts"), [(1, 100, 4), (7_000_000_001, 7_000_100_000, 3), (5, 6, 4), (1, 1, 2)]
)
def test_ranges_cover_every_key_once(low: int, high: int, parts: int) -> None:
    ranges = split_range(low, high, parts)
    covered = [key for start, end in ranges for key in range(start, end)] if high - low < 1_000 else None
    assert ranges[0][0] == low and ranges[-1][1] == high + 1
    assert all(a_end == b_start for (_, a_end), (b_start, _) in itertools.pairwise(ranges))
    assert len(ranges) == min(parts, high - low + 1)
    if covered is not None:
        assert covered == list(range(low, high + 1))


def test_empty_range() -> None:
    assert split_range(10, 9, 4) == []
