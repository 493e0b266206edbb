"""The sidecar's nightly backup: once a night from `backup_hour` (Norwegian time), a failure
recorded, logged and tried again an hour later, and the folder rotated to 7 daily and 4 weekly."""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime, timedelta

from services.localtime import oslo
from services.operations import backup, health

# Norwegian winter time is UTC+1: the night's backup hour, 02:00, is 01:00 UTC.
MONDAY_0130_UTC = datetime(2026, 12, 7, 1, 30)


def test_one_backup_a_night_and_a_failed_one_tried_again(store, settings, tmp_path, backup_key, caplog):
    recipient, _ = backup_key
    store.settings = dataclasses.replace(settings, backup_dir=tmp_path / "kopier", backup_recipient=recipient)
    assert backup.nightly(store, now=MONDAY_0130_UTC) == 1
    assert backup.nightly(store, now=MONDAY_0130_UTC + timedelta(hours=2)) == 0
    # Before 02:00 the next night, last night's backup is the night's.
    assert backup.nightly(store, now=MONDAY_0130_UTC + timedelta(hours=23)) == 0
    assert backup.nightly(store, now=MONDAY_0130_UTC + timedelta(hours=23, minutes=40)) == 1
    assert len(list((tmp_path / "kopier").iterdir())) == 2

    # The folder is gone (an unmounted share): recorded, logged, shown, and tried again an hour later.
    (tmp_path / "kopier").rename(tmp_path / "borte")
    (tmp_path / "kopier").write_text("ikke en mappe")
    caplog.set_level(logging.ERROR)
    next_night = MONDAY_0130_UTC + timedelta(days=2)
    assert backup.nightly(store, now=next_night) == 0
    assert store.value("SELECT error FROM backup_runs ORDER BY started_at DESC LIMIT 1") == "FileExistsError"
    assert any(r.getMessage() == "backup failed: FileExistsError" for r in caplog.records)
    assert backup.nightly(store, now=next_night + timedelta(minutes=30)) == 0
    assert store.value("SELECT count(*) FROM backup_runs WHERE error IS NOT NULL") == 1
    assert backup.nightly(store, now=next_night + timedelta(minutes=61)) == 0
    assert store.value("SELECT count(*) FROM backup_runs WHERE error IS NOT NULL") == 2
    found = health._backup(store, store.settings, next_night + timedelta(hours=4))
    assert not found.ok and "feilet (FileExistsError)" in found.message


def test_rotation_keeps_seven_daily_and_four_weekly(tmp_path):
    folder = tmp_path / "kopier"
    folder.mkdir()
    nights = [MONDAY_0130_UTC - timedelta(days=n) for n in range(60)]
    for night in nights:
        (folder / backup.file_name(night)).write_bytes(b"x")
    (folder / "notater.txt").write_text("ikke en sikkerhetskopi")
    backup.rotate(folder, keep_daily=7, keep_weekly=4)
    kept = sorted(p.name for p in folder.iterdir())
    assert "notater.txt" in kept
    kept_nights = [n for n in nights if backup.file_name(n) in kept]
    assert kept_nights[:7] == nights[:7]
    weeks = {oslo(n).isocalendar()[:2] for n in kept_nights}
    newest_weeks = sorted({oslo(n).isocalendar()[:2] for n in nights}, reverse=True)[:4]
    assert weeks == set(newest_weeks)
    for night in kept_nights[7:]:
        same_week = [n for n in nights if oslo(n).isocalendar()[:2] == oslo(night).isocalendar()[:2]]
        assert night == max(same_week)
    newest_of_week = {w: max(n for n in nights if oslo(n).isocalendar()[:2] == w) for w in newest_weeks}
    assert set(kept_nights) == set(nights[:7]) | set(newest_of_week.values())
    assert len(kept_nights) < 7 + 4
