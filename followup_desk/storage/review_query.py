"""The weekly review, grouped, counted and sorted by SQLite: the window asks for every
group's count and first rows, then for the rows after the last one it shows, so opening the
review costs the same for a hundred prospects as for ten thousand.

The grouping mirrors ``domain.review.classify`` rule for rule, over columns kept on each
prospect row (see migration 7 in ``storage/db.py``). Each group is read in its order from
an index that already holds that order and every column the rules look at: by due date, by
the last touch, or by name. The rows read are classified again by the domain's rules, and a
property test holds the two to the same answer.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from followup_desk.domain.review import (
    Group,
    Place,
    ProspectFacts,
    ReviewBounds,
    ReviewItem,
    last_touch,
    name_key,
)
from followup_desk.storage.codec import day, instant, parse_day, parse_instant
from followup_desk.storage.db import snapshot

# domain.review.classify, in its order of rules, split on whether a date comes due (a
# snooze alone, "held", counts only while it lies ahead) so that each row is read once
_WAITING = "last_out_at IS NOT NULL AND (last_in_at IS NULL OR last_out_at > last_in_at)"
_GROUP = f"""(CASE
    WHEN due_key IS NOT NULL AND NOT (held AND due_key <= :today) THEN CASE
        WHEN due_key < :today THEN 'overdue'
        WHEN due_key = :today THEN 'due-today'
        WHEN due_key <= :week_end THEN 'due-this-week'
        WHEN unanswered_from <= :now THEN 'no-next-step'
        WHEN {_WAITING} THEN 'waiting'
        ELSE 'later'
    END
    WHEN unanswered_from <= :now THEN 'no-next-step'
    WHEN since < :quiet_before THEN 'stale'
    WHEN {_WAITING} THEN 'waiting'
    ELSE 'no-next-step'
END)"""

# open files with no meeting to come: the rows every review index holds
_OPEN = "closed_at IS NULL AND (booked_until IS NULL OR booked_until <= :now)"

_FACT_COLUMNS = (
    "id, name, company, created, unanswered_from, last_in_at, last_out_at, cadence_name,"
    " cadence_due, cadence_what, follow_up_suggested, follow_up_said, snoozed_until,"
    " follow_up_stated"
)

_COUNTS = (
    f"SELECT {_GROUP} AS grp, COUNT(*) FROM prospect INDEXED BY review_by_due"
    f" WHERE {_OPEN} GROUP BY grp"
)


def _order(group: Group) -> tuple[str, str, tuple[str, ...]]:
    """The index that holds ``group``'s order, the range of it the group lies in, and the
    columns of that order (as ``domain.review``'s urgency: oldest or earliest first)."""
    if group is Group.WAITING or group is Group.STALE:
        return "review_by_since", "", ("since", "name_key", "id")
    if group is Group.NO_NEXT_STEP:
        return "review_by_name", "", ("name_key", "id")
    ranges = {
        Group.OVERDUE: "due_key < :today",
        Group.DUE_TODAY: "due_key = :today",
        Group.DUE_THIS_WEEK: "due_key > :today AND due_key <= :week_end",
        Group.LATER: "due_key > :week_end",
    }
    return "review_by_due", f" AND {ranges[group]}", ("due_key", "name_key", "id")


def _rows_sql(group: Group, after: bool) -> str:
    index, span, order = _order(group)
    keyset = ""
    if after:
        marks = ", ".join(f":after_{n}" for n in range(len(order)))
        keyset = f" AND ({', '.join(order)}) > ({marks})"
    return (
        f"SELECT {', '.join(order)}, {_FACT_COLUMNS} FROM prospect INDEXED BY {index}"
        f" WHERE {_OPEN}{span} AND {_GROUP} = :grp{keyset}"
        f" ORDER BY {', '.join(order)} LIMIT :limit"
    )


_NO_LIMIT = -1  # SQLite: LIMIT -1 is no limit


def _bounds(bounds: ReviewBounds) -> dict[str, object]:
    return {
        "now": instant(bounds.now),
        "today": day(bounds.today),
        "week_end": day(bounds.week_end),
        "quiet_before": instant(bounds.quiet_before),
    }


def first_rows(
    conn: sqlite3.Connection,
    bounds: ReviewBounds,
    limit: int | None,
    limits: Mapping[Group, int] | None = None,
) -> tuple[dict[Group, int], list[tuple[Group, ProspectFacts, Place]]]:
    """Every group's count, and its first ``limit`` prospects (all with None; ``limits``
    sets it for some groups), in order, each with its place; all from one snapshot."""
    values = _bounds(bounds)
    rows: list[tuple[Group, ProspectFacts, Place]] = []
    with snapshot(conn):
        sizes = {Group(grp): int(n) for grp, n in conn.execute(_COUNTS, values)}
        for group in Group:
            if sizes.get(group):
                wanted = (limits or {}).get(group, limit)
                read = _read(conn, values, group, None, wanted)
                rows += [(group, facts, place) for facts, place in read]
    return sizes, rows


def due_now(conn: sqlite3.Connection, bounds: ReviewBounds) -> list[tuple[int, str, str]]:
    """Every prospect whose touch is overdue or due today, with its due date and name, most
    overdue first: all of them, however few rows the window has read (the reminders tell
    the new ones apart)."""
    return [
        (int(pid), str(due), str(name))
        for pid, due, name in conn.execute(
            "SELECT id, due_key, name FROM prospect INDEXED BY review_by_due"
            f" WHERE {_OPEN} AND due_key <= :today AND {_GROUP} IN ('overdue', 'due-today')"
            " ORDER BY due_key, name_key, id",
            _bounds(bounds),
        )
    ]


def rows_after(
    conn: sqlite3.Connection,
    bounds: ReviewBounds,
    group: Group,
    after: ReviewItem,
    limit: int | None,
) -> list[tuple[ProspectFacts, Place]]:
    """The prospects of ``group`` that come after ``after``, most urgent first."""
    return _read(conn, _bounds(bounds), group, _place(after), limit)


def _place(item: ReviewItem) -> Place:
    """The item's place in its group's index order (see ``_order``): as read with it, or
    else worked out from what it says."""
    if item.place:
        return item.place
    facts = item.facts
    if item.group is Group.WAITING or item.group is Group.STALE:
        since = last_touch(facts) or facts.created
        return (instant(since) if since else "", name_key(facts.name), facts.prospect_id)
    if item.group is Group.NO_NEXT_STEP:
        return (name_key(facts.name), facts.prospect_id)
    return (day(item.due) or "", name_key(facts.name), facts.prospect_id)


def _read(
    conn: sqlite3.Connection,
    values: dict[str, object],
    group: Group,
    after: Place | None,
    limit: int | None,
) -> list[tuple[ProspectFacts, Place]]:
    asked = {**values, "grp": group.value, "limit": _NO_LIMIT if limit is None else limit}
    for n, value in enumerate(after or ()):
        asked[f"after_{n}"] = value
    now, keys = str(values["now"]), len(_order(group)[2])
    return [
        (_facts(row[keys:], now), tuple(row[:keys]))
        for row in conn.execute(_rows_sql(group, after is not None), asked)
    ]


def _facts(r: Sequence[object], now: str) -> ProspectFacts:
    """One row read: an open file with no meeting to come (that is what the review holds)."""
    return ProspectFacts(
        prospect_id=int(str(r[0])),
        name=str(r[1]),
        company=str(r[2]),
        created=parse_instant(str(r[3])) if r[3] else None,
        awaiting_outcome=r[4] is not None and str(r[4]) <= now,
        last_in=parse_instant(str(r[5])) if r[5] else None,
        last_out=parse_instant(str(r[6])) if r[6] else None,
        cadence=str(r[7] or ""),
        cadence_due=parse_day(str(r[8])) if r[8] else None,
        cadence_what=str(r[9] or ""),
        follow_up_on=parse_day(str(r[10])) if r[10] else None,
        follow_up_said=str(r[11] or ""),
        snoozed_until=parse_day(str(r[12])) if r[12] else None,
        follow_up_stated=parse_day(str(r[13])) if r[13] else None,
    )
