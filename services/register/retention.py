"""Deleting personal data when its time is up (run by the sidecar).

A list's rows, original files and reconciliation outcome go `list_retention_months`
after its period;
the submission's record (company, period, when, totals) stays, as history.
A member whose last employment ended more than `member_retention_months` ago
is removed from the register with their employments.
"""

from __future__ import annotations

from datetime import date

from services import audit, filestore, localtime, periods, settings_store
from services.db import Store, Tx, utcnow


def _months(store: Store, key: str) -> int:
    return int(settings_store.numeric(store, key))


def purge(store: Store, *, today: date | None = None) -> dict[str, int]:
    today = today or localtime.today()
    list_cutoff = periods.add_months(periods.month_start(today), -_months(store, "list_retention_months"))
    member_cutoff = periods.add_months(today, -_months(store, "member_retention_months"))
    due = [r[0] for r in store.rows("SELECT id FROM submissions WHERE period < ? AND purged_at IS NULL", [list_cutoff])]
    files = store.rows("SELECT id FROM stored_files WHERE submission_id IN (SELECT unnest(?::INTEGER[]))", [due])
    filestore.delete_contents(store, file_ids=[f[0] for f in files])

    def work(tx: Tx) -> int:
        if due:
            tx.execute("DELETE FROM submission_rows WHERE submission_id IN (SELECT unnest(?::INTEGER[]))", [due])
            tx.execute(
                "UPDATE submissions SET purged_at = ? WHERE id IN (SELECT unnest(?::INTEGER[]))", [utcnow(), due]
            )
        # The outcome of reconciling those lists names the same persons.
        tx.execute(
            "DELETE FROM utrukket_answers WHERE item_id IN (SELECT id FROM reconciliation_items WHERE period < ?)",
            [list_cutoff],
        )
        tx.execute("DELETE FROM reconciliation_items WHERE period < ?", [list_cutoff])
        gone = [
            r[0]
            for r in tx.rows(
                "SELECT member_id FROM employments GROUP BY member_id"
                " HAVING bool_and(valid_to IS NOT NULL) AND max(valid_to) < ?",
                [member_cutoff],
            )
        ]
        if gone:
            tx.execute(
                "DELETE FROM letter_members WHERE employment_id IN"
                " (SELECT id FROM employments WHERE member_id IN (SELECT unnest(?::INTEGER[])))",
                [gone],
            )
            # Outcomes kept longer than the member name the person by their own fields.
            tx.execute(
                "UPDATE reconciliation_items SET member_id = NULL WHERE member_id IN (SELECT unnest(?::INTEGER[]))",
                [gone],
            )
            tx.execute("DELETE FROM member_corrections WHERE member_id IN (SELECT unnest(?::INTEGER[]))", [gone])
            tx.execute("DELETE FROM employments WHERE member_id IN (SELECT unnest(?::INTEGER[]))", [gone])
            tx.execute("DELETE FROM members WHERE id IN (SELECT unnest(?::INTEGER[]))", [gone])
        if due or gone:
            audit.record(tx, actor=None, action="retention.purge", detail=f"{len(due)} lister, {len(gone)} medlemmer")
        return len(gone)

    members_removed = store.transaction(work)
    return {"lists_purged": len(due), "members_removed": members_removed}
