"""The log's actions in the union's words: what «Logg» and its Excel export show, and what a
search for «brev» or «passord» finds. The codes stay in the store; people read these.
Every code a service records has a name here (tests/services/test_audit_words.py reads the code)."""

from __future__ import annotations

ACTIONS: dict[str, str] = {
    "access.grant": "Tilgang til bedrift gitt",
    "access.revoke": "Tilgang til bedrift fjernet",
    "audit.export": "Logg eksportert",
    "audit.purge": "Logg slettet etter lagringstiden",
    "backup.taken": "Sikkerhetskopi tatt",
    "changes.view": "Endringer fra forrige måned sett",
    "code.activate": "Engangskode for aktivering sendt",
    "code.reset": "Engangskode for nytt passord sendt",
    "code.capped": "Engangskode stanset: for mange i dag",
    "code.capped_hourly": "Engangskode stanset: taket for alle i timen nådd",
    "code.capped_source": "Engangskode stanset: for mange fra samme sted",
    "code.capped_wrong": "Engangskode stanset: for mange feil",
    "code.wrong": "Feil engangskode",
    "code.wrong_second_factor": "Feil kode fra appen ved nytt passord",
    "company.add": "Bedrift registrert",
    "company.update": "Bedrift endret",
    "coverage.export": "Oversikt eksportert",
    "declaration.accept": "Taushetserklæring godtatt",
    "incoming.export": "Innkomne lister eksportert",
    "incoming.view": "Innkomne lister sett",
    "layout.forget": "Kolonnevalg glemt",
    "layout.remember": "Kolonnevalg husket",
    "letter.create": "Brev laget",
    "letter.download": "Brev lastet ned av bedriften",
    "letter.expire": "Brev utløpt",
    "letter.staff_download": "Brev lastet ned av forbundet",
    "letter.withdraw": "Brev trukket tilbake",
    "letters.pending.view": "Brev som venter sett",
    "login": "Logget inn",
    "login.alert": "Varsel om mislykkede innlogginger sendt",
    "login.capped_source": "Innlogging stanset: for mange fra samme sted",
    "login.failed": "Mislykket innlogging",
    "login.locked": "Bruker sperret etter mislykkede innlogginger",
    "login.refused_deactivated": "Innlogging avvist: brukeren er deaktivert",
    "login.refused_locked": "Innlogging avvist: brukeren er sperret",
    "logout": "Logget ut",
    "mail.recent.view": "Siste e-poster sett",
    "member.add": "Medlem lagt til",
    "member.end": "Ansettelse avsluttet",
    "member.move": "Medlem flyttet",
    "members.import": "Medlemsregister importert",
    "members.view": "Medlemsregister sett",
    "password.set": "Passord satt",
    "portal_list.template": "Excel-mal for «Registrer trekk» lastet ned",
    "portal_list.view": "«Registrer trekk» sett",
    "reconciliation.handled": "Avvik behandlet",
    "reconciliation.period": "Periode avstemt",
    "reconciliation.view": "Avstemming sett",
    "reminder.again": "Påminnelse sendt på nytt",
    "reminder.send": "Påminnelse sendt",
    "retention.purge": "Slettet etter lagringstiden",
    "second_factor.capped": "Innlogging i to trinn stanset: for mange forsøk",
    "second_factor.disable": "Innlogging i to trinn slått av",
    "second_factor.enable": "Innlogging i to trinn slått på",
    "second_factor.ok": "Kode fra appen godtatt",
    "second_factor.recovery_codes": "Nye reservekoder laget",
    "second_factor.reset": "Innlogging i to trinn nullstilt",
    "second_factor.wrong": "Feil kode fra appen",
    "sessions.end": "Innlogginger avsluttet",
    "settings.rate": "Sats endret",
    "settings.value": "Innstilling endret",
    "submission.create": "Trekkliste sendt inn",
    "submission.file.download": "Originalfil lastet ned",
    "submission.manual_done": "Liste behandlet manuelt",
    "submission.rows_entered": "Rader ført inn for hånd",
    "user.add": "Bruker registrert",
    "user.deactivate": "Bruker deaktivert",
    "user.delete": "Bruker slettet",
    "user.invite": "Invitasjon sendt",
    "user.invite.again": "Invitasjon sendt på nytt",
    "user.reactivate": "Bruker aktivert igjen",
    "user.remove_staff": "Forbundets rettigheter fjernet",
    "user.update": "Bruker endret",
    "users.view": "Brukere sett",
    "utrukne.answer": "Status for utrukket gitt",
    "utrukne.history": "Svarhistorikk for utrukket sett",
    "utrukne.reopen": "Utrukket åpnet igjen",
    "utrukne.view": "Utrukne sett",
    "worklist.export": "Arbeidsliste eksportert",
    "worklist.view": "Arbeidsliste sett",
}


def word(action: str) -> str:
    """The action as people read it; a code without a name (none should be) as it is."""
    return ACTIONS.get(action, action)


def matching(text: str) -> list[str]:
    """The codes whose name contains `text` (any case), or whose code starts with it."""
    wanted = text.strip().lower()
    return sorted(code for code, name in ACTIONS.items() if wanted in name.lower() or code.startswith(wanted))
