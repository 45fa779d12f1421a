"""The weekly review as CSV, the same for the window's export and ``review --csv``."""

from __future__ import annotations

import csv
import io

from followup_desk.domain.review import Review

CSV_HEADER = ("group", "prospect_id", "name", "company", "due", "what")


def review_csv(review: Review) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for group, items in review.groups:
        for item in items:
            f = item.facts
            due = item.due.isoformat() if item.due else ""
            writer.writerow([group.value, f.prospect_id, f.name, f.company, due, item.what])
    return out.getvalue()
