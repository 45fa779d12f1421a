"""Busy blocks and the busy index: what counts as touching busy time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followup_desk.domain.intervals import BusyBlock, BusyIndex, merge

BERLIN = ZoneInfo("Europe/Berlin")
BASE = datetime(2027, 3, 15, 0, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return BASE + timedelta(minutes=minutes)


def test_a_busy_block_without_a_time_zone_is_refused() -> None:
    with pytest.raises(ValueError, match="time-zone-aware"):
        BusyBlock(datetime(2027, 3, 15, 9, 0), datetime(2027, 3, 15, 10, 0, tzinfo=UTC))


def test_overlapping_and_touching_busy_spans_become_one() -> None:
    merged = merge([(at(60), at(120)), (at(0), at(30)), (at(30), at(45)), (at(100), at(150))])
    assert merged == [(at(0), at(45)), (at(60), at(150))]


def test_empty_and_backwards_spans_are_not_busy_time() -> None:
    assert merge([(at(10), at(10)), (at(20), at(5))]) == []
    assert len(BusyIndex([(at(10), at(10))])) == 0


def test_a_meeting_may_end_exactly_when_busy_time_starts() -> None:
    index = BusyIndex([(at(60), at(120))])
    assert not index.overlaps(at(30), at(60))
    assert not index.overlaps(at(120), at(150))
    assert index.overlaps(at(30), at(61))
    assert index.overlaps(at(119), at(150))
    assert index.overlaps(at(0), at(200))
    assert index.overlaps(at(70), at(80))


def test_busy_time_given_in_another_zone_is_the_same_instant() -> None:
    # 10:00-11:00 in Berlin (CET) is 09:00-10:00 UTC
    index = BusyIndex(
        [(datetime(2027, 3, 15, 10, 0, tzinfo=BERLIN), datetime(2027, 3, 15, 11, 0, tzinfo=BERLIN))]
    )
    assert index.spans == [(at(9 * 60), at(10 * 60))]
    assert all(start.tzinfo is UTC for start, _ in index.spans)
    assert not index.overlaps(at(10 * 60), at(11 * 60))
    assert index.overlaps(at(9 * 60 + 30), at(10 * 60 + 30))


def test_all_day_events_count_as_busy_only_when_the_rep_says_so() -> None:
    blocks = [
        BusyBlock(at(0), at(24 * 60), all_day=True),
        BusyBlock(at(9 * 60), at(10 * 60)),
    ]
    assert BusyIndex.from_blocks(blocks, all_day_busy=False).spans == [(at(540), at(600))]
    assert BusyIndex.from_blocks(blocks, all_day_busy=True).spans == [(at(0), at(24 * 60))]


def test_an_empty_calendar_is_free_all_the_time() -> None:
    index = BusyIndex([])
    assert len(index) == 0
    assert not index.overlaps(at(0), at(10_000))


spans_strategy = st.lists(
    st.tuples(st.integers(0, 2000), st.integers(0, 300)).map(lambda p: (p[0], p[0] + p[1])),
    max_size=25,
)


@settings(max_examples=150, deadline=None)
@given(spans=spans_strategy, query_start=st.integers(-100, 2400), query_len=st.integers(1, 400))
def test_the_busy_index_agrees_with_checking_every_block(
    spans: list[tuple[int, int]], query_start: int, query_len: int
) -> None:
    index = BusyIndex([(at(s), at(e)) for s, e in spans])
    query_end = query_start + query_len
    brute = any(s < e and s < query_end and query_start < e for s, e in spans)
    assert index.overlaps(at(query_start), at(query_end)) is brute
    merged = index.spans
    assert all(a_end < b_start for (_, a_end), (b_start, _) in pairwise(merged))
