"""An organisation's dashboard as CSV, for a spreadsheet or a report."""

from __future__ import annotations

import csv
import io

from cairn.atlas.model import Dashboard
from cairn.opendata.csv import cell


def dashboard_csv(board: Dashboard) -> str:
    """One row per figure: figure, key, value (keys made spreadsheet-safe)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["figure", "key", "value"])
    writer.writerow(["programmes", "", cell(" ".join(board.programmes))])
    writer.writerow(["contributors", "", board.contributors])
    writer.writerow(["pending", "", board.pending])
    oldest = board.oldest_pending.isoformat() if board.oldest_pending else ""
    writer.writerow(["oldest_pending", "", oldest])
    for figure, counts in (
        ("received_by_month", board.received_by_month),
        ("by_status", board.by_status),
        ("top_taxa", board.top_taxa),
        ("by_commune", board.by_commune),
    ):
        for count in counts:
            writer.writerow([figure, cell(count.key), count.count])
    return out.getvalue()
