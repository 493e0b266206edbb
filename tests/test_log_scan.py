"""The run's log check finds what it looks for: a national id in either form and a code the portal
made, and not a timestamp's microseconds, an amount or an id that only looks like them."""

from datetime import date

from tests import listfiles, log_scan


def test_the_log_check_finds_a_national_id_and_a_code(tmp_path):
    national_id = listfiles.make_fnr(date(1971, 3, 14))
    (tmp_path / "portal.jsonl").write_text(
        '{"time": "2026-12-07T14:00:00.123456", "event": "mail 123456 (code.activate) sent", "bytes": 4812345}\n'
        f'{{"event": "refused {national_id}"}}\n'
        f'{{"event": "refused {national_id[:6]} {national_id[6:]}"}}\n'
        '{"event": "code 654321 given"}\n'
        '{"event": "recovery ABCDE-FGH23 shown"}\n'
        '{"event": "list of 12345678901 bytes, 01019912345 not a valid id"}\n',
        encoding="utf-8",
    )
    found = log_scan.scan(tmp_path, {"654321", "abcde-fgh23", "ABCDE-FGH23"})
    assert found.lines == 6
    assert len(found.national_ids) == 2
    assert len(found.codes) == 2
    assert national_id not in " ".join(found.national_ids)  # the report does not repeat what it found
