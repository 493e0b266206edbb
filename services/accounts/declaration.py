"""The confidentiality declaration (taushetserklæring) every user accepts first.

Changing the text means raising VERSION: everyone is then asked again.
"""

from __future__ import annotations

from datetime import datetime

from services import audit
from services.access import Actor
from services.db import Store, Tx, utcnow
from services.errors import InvalidInput

VERSION = "1"
TITLE = "Taushetserklæring"
PARAGRAPHS = (
    "Som mottaker av epost og brev fra {union} som omhandler informasjon om våre medlemmer, "
    "tillitsvalgte og medlemsbedrifter, kan du få tilgang til sensitive opplysninger om disse. Jeg "
    "forplikter meg til ikke å bruke, åpenbare, utlevere eller på annen måte gjøre tilgjengelig for "
    "uvedkommende denne informasjon.",
    "Jeg vil også vise aktsomhet i omtale av andre forhold som jeg blir kjent med eller erfarer i arbeidet mitt.",
    "Jeg har lest de lovbestemmelser som er anført i denne erklæring. Jeg er dermed klar over "
    "straffelovens kapittel 21 samt markedsføringslovens § 28 og § 29. Jeg er kjent med at brudd på "
    "disse bestemmelsene kan medføre straffeansvar.",
    "Jeg er også klar over at denne taushetserklæringen gjelder etter opphør av ansettelsesforholdet.",
)
REFERENCES = (
    ("Straffeloven kapittel 21", "https://lovdata.no/dokument/NL/lov/2005-05-20-28/KAPITTEL_2-6"),
    ("Markedsføringsloven § 28", "https://lovdata.no/dokument/NL/lov/2009-01-09-2/KAPITTEL_6#§28"),
    ("Markedsføringsloven § 29", "https://lovdata.no/dokument/NL/lov/2009-01-09-2/KAPITTEL_6#§29"),
)


def paragraphs(union_name: str) -> list[str]:
    """The declaration as the users read it, naming the union this portal serves."""
    return [paragraph.format(union=union_name) for paragraph in PARAGRAPHS]


CHECKBOX_LABEL = "Jeg har gjort meg kjent med, og aksepterer taushetserklæringen."
MUST_ACCEPT_MESSAGE = "Du må krysse av for at du aksepterer taushetserklæringen før du kan gå videre."


def needs_acceptance(store: Store, *, actor: Actor, version: str = VERSION) -> bool:
    accepted = store.value("SELECT declaration_version FROM users WHERE id = ?", [actor.user_id])
    return accepted != version


def accept(store: Store, *, actor: Actor, accepted: bool, version: str = VERSION, now: datetime | None = None) -> None:
    if not accepted:
        raise InvalidInput(MUST_ACCEPT_MESSAGE)
    now = now or utcnow()

    def work(tx: Tx) -> None:
        tx.execute(
            "UPDATE users SET declaration_version = ?, declaration_accepted_at = ? WHERE id = ?",
            [version, now, actor.user_id],
        )
        audit.record(tx, actor=actor, action="declaration.accept", detail=f"versjon {version}", at=now)

    store.transaction(work)
