"""A stolen backup tells nothing: the file holds no national id and no name, though what it
decrypts to holds them all (so the search below can find them)."""

from __future__ import annotations

from services.operations import backup
from tests.services.operations.conftest import fill, plaintext


def test_the_backup_file_holds_no_national_id_and_no_name(store, tmp_path, backup_key, figure):
    recipient, identity_file = backup_key
    people = fill(store)
    taken = backup.take(store, directory=tmp_path / "kopier", recipient=recipient)
    secrets_in_store = [*people["national_ids"], *people["names"]]
    # What a thief would search for, in every form a backup could hold it.
    needles = {s: [s.encode(), s.encode("utf-16-le")] for s in secrets_in_store}
    opened = plaintext(taken.path, identity_file)
    assert all(any(n in opened for n in forms) for forms in needles.values())  # the search can find them
    stored = taken.path.read_bytes()
    found_ids = sum(any(n in stored for n in needles[s]) for s in people["national_ids"])
    found_names = sum(any(n in stored for n in needles[s]) for s in people["names"])
    assert stored.startswith(b"age-encryption.org/v1\n")
    assert (found_ids, found_names) == (0, 0)
    assert taken.path.stat().st_mode & 0o077 == 0  # readable by the portal's own user only
    figure(
        f"backup encrypted: {found_ids} national ids, {found_names} names found in the backup file's bytes"
        f" ({len(people['national_ids'])} and {len(people['names'])} in what it decrypts to)"
    )
