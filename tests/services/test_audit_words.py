"""Every action a service records has a name in the union's words (issue 25): «Logg» never shows
a code like `member.move` to a person."""

import re
from pathlib import Path

from services import audit_words
from services.accounts import codes

ROOT = Path(__file__).resolve().parents[2]
RECORDED = re.compile(r'action="([a-z_.]+)"')


def recorded_codes() -> set[str]:
    """The action codes written in the portal's code, and the one-time codes' by purpose."""
    found = set()
    for path in [*ROOT.joinpath("services").rglob("*.py"), *ROOT.joinpath("pages").rglob("*.py")]:
        found |= set(RECORDED.findall(path.read_text(encoding="utf-8")))
    found -= {"store_true", "append"}  # argparse's, in the command line
    return found | {f"code.{purpose}" for purpose in (codes.ACTIVATE, codes.RESET)}


def test_every_recorded_action_has_a_norwegian_name(figure):
    recorded = recorded_codes()
    unnamed = sorted(recorded - audit_words.ACTIONS.keys())
    unused = sorted(audit_words.ACTIONS.keys() - recorded)
    figure(f"log words: {len(recorded)} actions recorded, {len(unnamed)} without a Norwegian name")
    assert unnamed == [] and unused == [], (unnamed, unused)
    assert all(not re.fullmatch(r"[a-z_.]+", name) for name in audit_words.ACTIONS.values())


def test_a_search_in_norwegian_finds_the_codes():
    assert "letter.download" in audit_words.matching("brev")
    assert audit_words.matching("PASSORD") == ["code.reset", "code.wrong_second_factor", "password.set"]
    assert audit_words.matching("member.") == [
        "member.add",
        "member.correct",
        "member.end",
        "member.erase",
        "member.move",
    ]
    assert audit_words.word("member.move") == "Medlem flyttet"
