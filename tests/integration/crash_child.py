"""A child for the kill test: books prospects in a loop through the real services until killed.

    FOLLOWUP_DESK_HOME=... python crash_child.py ROUND

Writes "ready" once the desk is open, then each booking's id on its own line once ``book()``
has returned (the booking committed, its invite written, its invite path saved). Each round
books on days of its own, one meeting an hour, so every slot it asks for is free; the
settings the test writes make every hour of every day working time.
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from followup_desk.adapters.clock import FixedClock
from followup_desk.app import open_desk
from followup_desk.services.booking import BookingRequest

NOW = datetime(2026, 11, 23, tzinfo=UTC)
DAYS_PER_ROUND = 60  # 1,440 hourly slots: far more than a round books before it is killed


def first_start(round_no: int) -> datetime:
    return NOW + timedelta(days=1 + DAYS_PER_ROUND * round_no)


def main(round_no: int) -> int:
    desk = open_desk(clock=FixedClock(NOW))
    sys.stdout.write("ready\n")
    sys.stdout.flush()
    start = first_start(round_no)
    for hour in range(DAYS_PER_ROUND * 24):
        outcome = desk.bookings.book(
            BookingRequest(
                name=f"Prospect {round_no}-{hour}",
                email=f"p{round_no}-{hour}@example.com",
                start=start + timedelta(hours=hour),
                length=timedelta(minutes=30),
            )
        )
        sys.stdout.write(f"{outcome.booking.id}\n")
        sys.stdout.flush()
    desk.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1])))
