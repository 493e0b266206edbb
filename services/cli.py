"""Command line for the union's operators (and tests).

python -m services.cli init
python -m services.cli add-company --orgnr N --name S
python -m services.cli add-user --email E --name S [--company ORGNR]... [--staff]
python -m services.cli grant --email E --company ORGNR
python -m services.cli revoke --email E --company ORGNR
python -m services.cli seed-demo
python -m services.cli import-members FILE [--full [--yes]]
python -m services.cli submit --company ORGNR --period YYYY-MM FILE... [--as EMAIL]
python -m services.cli reconciliation --company ORGNR --period YYYY-MM [--json]
python -m services.cli reconcile-period --period YYYY-MM
python -m services.cli set-rate --class ordinær --from 2027-01-01 --percent 1.35 [--cap 590]
python -m services.cli set-setting KEY VALUE
python -m services.cli copy-store --to postgresql://… [--files folder|database]
python -m services.cli migrate [--grant-to ROLE]      # PostgreSQL: as the owner role
python -m services.cli purge-audit                    # PostgreSQL: as the owner role (cron)
python -m services.cli backup-keygen KEYFILE          # once: the union's key pair for backups
python -m services.cli backup DIR                     # an encrypted backup, while the portal runs (PostgreSQL)
python -m services.cli restore FILE --key KEYFILE     # into an empty store of either engine
python -m services.cli health [--portal URL]          # six checks; exit code 0 when all are fine
"""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

from services import backup_keys, demo, periods, settings_store, store_copy
from services.access import CLI, actor_for
from services.accounts import companies, users
from services.config import FILE_STORES, ConfigError, load_settings
from services.db import close_all, migration_files, open_store
from services.errors import InvalidInput, NotFound, PortalError
from services.lists import submissions
from services.money import kr
from services.operations import audit_purge, backup, health, restore
from services.register import members, reconcile, review
from services.store_errors import StoreUnavailable


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m services.cli", description="Trekklisteportalen: drift")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="opprett databasen og kjør migreringer")
    p = sub.add_parser("add-company", help="registrer en bedrift")
    p.add_argument("--orgnr", required=True)
    p.add_argument("--name", required=True)
    p = sub.add_parser("add-user", help="registrer en bruker")
    p.add_argument("--email", required=True)
    p.add_argument("--name", required=True)
    p.add_argument("--company", action="append", default=[], metavar="ORGNR")
    p.add_argument("--staff", action="store_true", help="forbundets ansatte")
    for name in ("grant", "revoke"):
        p = sub.add_parser(name, help=("gi" if name == "grant" else "fjern") + " tilgang til en bedrift")
        p.add_argument("--email", required=True)
        p.add_argument("--company", required=True, metavar="ORGNR")
    sub.add_parser("seed-demo", help="legg inn demodata")
    p = sub.add_parser("import-members", help="importer medlemsregisteret fra xlsx eller csv")
    p.add_argument("file")
    p.add_argument(
        "--full",
        action="store_true",
        help="filen er hele registeret: medlemskap og ansettelser som mangler avsluttes (vises først, uten --yes)",
    )
    p.add_argument("--yes", action="store_true", help="med --full: gjennomfør, ikke bare vis hva som ville skjedd")
    p = sub.add_parser("end-member", help="avslutt et medlems ansettelse i en bedrift")
    p.add_argument("--member", required=True, metavar="MEDLEMSNR")
    p.add_argument("--company", required=True, metavar="ORGNR")
    p.add_argument("--last-day", required=True, metavar="ÅÅÅÅ-MM-DD")
    p = sub.add_parser("move-member", help="flytt et medlem til en annen bedrift")
    p.add_argument("--member", required=True, metavar="MEDLEMSNR")
    p.add_argument("--to", required=True, metavar="ORGNR")
    p.add_argument("--first-day", required=True, metavar="ÅÅÅÅ-MM-DD")
    p = sub.add_parser("submit", help="send inn en trekkliste for en arbeidsgiver (kom i posten eller på e-post)")
    p.add_argument("--company", required=True, metavar="ORGNR")
    p.add_argument("--period", required=True, metavar="YYYY-MM")
    p.add_argument("--as", dest="as_email", metavar="EMAIL", help="registrer innsendingen på denne brukeren")
    p.add_argument("--contact", metavar="EMAIL", help="kontaktadresse for kvitteringen")
    p.add_argument(
        "--same-file-ok", action="store_true", help="send selv om den samme filen er sendt inn for en annen periode"
    )
    p.add_argument("files", nargs="+")
    p = sub.add_parser("reconciliation", help="avstemming for en bedrift og periode")
    p.add_argument("--company", required=True, metavar="ORGNR")
    p.add_argument("--period", required=True, metavar="YYYY-MM")
    p.add_argument("--json", action="store_true")
    p = sub.add_parser("reconcile-period", help="avstem en periode på nytt for alle bedrifter (etter import)")
    p.add_argument("--period", required=True, metavar="YYYY-MM")
    p = sub.add_parser("set-rate", help="kontingentsats fra 1. januar eller 1. juli")
    p.add_argument("--class", dest="rate_class", required=True)
    p.add_argument("--from", dest="valid_from", required=True, metavar="YYYY-MM-DD")
    p.add_argument("--percent", required=True)
    p.add_argument("--cap", help="makstrekk per måned i kroner")
    p = sub.add_parser("set-setting", help="endre en innstilling (toleranse, oppbevaringstid)")
    p.add_argument("key")
    p.add_argument("value")
    p = sub.add_parser("copy-store", help="flytt DuckDB-databasen over i en tom PostgreSQL-database")
    p.add_argument("--to", required=True, metavar="postgresql://…")
    p.add_argument(
        "--files",
        choices=FILE_STORES,
        default="folder",
        help="la filene bli i mappen, eller kopier dem inn i databasen (PORTAL_FILE_STORE=database)",
    )
    p = sub.add_parser(
        "migrate", help="oppgrader databasen (på PostgreSQL som eierrollen) og gi portalens rolle tilgang til radene"
    )
    p.add_argument("--grant-to", metavar="ROLLE", help="portalens databaserolle, som bare får lese og skrive rader")
    sub.add_parser("purge-audit", help="slett logglinjer eldre enn audit_retention_months (som eierrollen)")
    p = sub.add_parser("backup-keygen", help="lag forbundets nøkkelpar for sikkerhetskopiene")
    p.add_argument("keyfile", help="ny fil for den private nøkkelen (oppbevares utenfor portalens maskin)")
    p = sub.add_parser("backup", help="ta en kryptert sikkerhetskopi av databasen og filene")
    p.add_argument("directory", metavar="MAPPE")
    p = sub.add_parser("restore", help="gjenopprett en sikkerhetskopi i en tom database")
    p.add_argument("file", metavar="FIL")
    p.add_argument("--key", required=True, metavar="NØKKELFIL", help="forbundets private nøkkel")
    p = sub.add_parser("health", help="sjekk database, tidsstyrt jobb, e-post, sikkerhetskopi og disk")
    p.add_argument(
        "--portal",
        metavar="URL",
        help="spør den kjørende portalen (http://127.0.0.1:PORT): på DuckDB kan bare portalens prosess åpne databasen",
    )
    return parser


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput("Datoen skrives ÅÅÅÅ-MM-DD.") from exc


def run_without_store(args: argparse.Namespace) -> str | None:
    """The commands that must not open (and so migrate) the store first; None for the others."""
    if args.command == "backup-keygen":
        public = backup_keys.generate(Path(args.keyfile))
        return (
            f"Den private nøkkelen er skrevet til {args.keyfile}. Flytt den bort fra portalens maskin og ta vare på"
            " den: uten den kan ingen sikkerhetskopi åpnes.\n"
            f"Sett dette på portalens maskin:\nPORTAL_BACKUP_RECIPIENT={public}"
        )
    if args.command == "restore":
        done = restore.restore(load_settings(web=False), path=Path(args.file), identity_file=Path(args.key))
        return (
            f"Gjenopprettet {done.rows} rader i {done.tables} tabeller og {done.files} filer"
            f" (sikkerhetskopi ved migrering {done.backup_version:03d}, databasen nå ved {done.store_version:03d})."
        )
    return None


def run(args: argparse.Namespace) -> str:
    without = run_without_store(args)
    if without is not None:
        return without
    store = open_store(load_settings(web=False))
    if args.command == "init":
        return f"Databasen er klar: {store.settings.db_path.name}"
    if args.command == "add-company":
        company = companies.add_company(store, actor=CLI, orgnr=args.orgnr, name=args.name)
        return f"Registrerte {company.name} ({company.orgnr})."
    if args.command == "add-user":
        user = users.add_user(
            store, actor=CLI, email=args.email, name=args.name, staff=args.staff, company_orgnrs=args.company
        )
        return f"Registrerte {user.email} ({'forbundet' if user.is_staff else 'arbeidsgiver'})."
    if args.command == "grant":
        users.grant(store, actor=CLI, email=args.email, orgnr=args.company)
        return f"{args.email} har nå tilgang til {args.company}."
    if args.command == "revoke":
        users.revoke(store, actor=CLI, email=args.email, orgnr=args.company)
        return f"{args.email} har ikke lenger tilgang til {args.company}."
    if args.command == "import-members":
        preview = args.full and not args.yes
        report = members.import_file(store, actor=CLI, path=Path(args.file), full=args.full, preview=preview)
        would = "ville blitt " if preview else ""
        lines = [f"{report.imported} nye medlemmer, {report.updated} {would}oppdatert, {len(report.problems)} avvist."]
        if args.full:
            lines.append(
                f"Fullstendig register: {report.ended_employments} ansettelser og {report.ended_memberships}"
                f" medlemskap {would}avsluttet."
            )
        if preview:
            lines.append("Ingenting er endret. Kjør igjen med --yes for å gjennomføre.")
        lines += [f"  linje {line}: {message}" for line, message in report.problems]
        return "\n".join(lines)
    if args.command in ("end-member", "move-member"):
        member_id = members.id_of(store, actor=CLI, member_no=args.member)
        if args.command == "end-member":
            company = companies.by_orgnr(store, actor=CLI, orgnr=args.company)
            last_day = _day(args.last_day)
            members.end_employment(store, actor=CLI, member_id=member_id, company_id=company.id, last_day=last_day)
            return f"Ansettelsen i {company.name} er avsluttet {last_day:%d.%m.%Y}."
        company = companies.by_orgnr(store, actor=CLI, orgnr=args.to)
        first_day = _day(args.first_day)
        members.move(store, actor=CLI, member_id=member_id, to_company_id=company.id, first_day=first_day)
        return f"Medlemmet er flyttet til {company.name} fra {first_day:%d.%m.%Y}."
    if args.command == "submit":
        company = companies.by_orgnr(store, actor=CLI, orgnr=args.company)
        actor = CLI
        if args.as_email:
            try:
                actor = actor_for(store, email=args.as_email)
            except NotFound:
                raise NotFound(f"Ingen bruker med e-post {args.as_email} er registrert.") from None
        uploads = []
        for name in args.files:
            try:
                uploads.append(submissions.Upload(Path(name).name, Path(name).read_bytes()))
            except OSError as problem:
                raise InvalidInput(f"Filen {name} kunne ikke leses: {problem.strerror}.") from problem
        receipt = submissions.submit(
            store,
            actor=actor,
            company_id=company.id,
            period=periods.parse(args.period),
            contact_email=args.contact or (args.as_email or store.settings.mail_from),
            uploads=uploads,
            confirm_earlier_copies=args.same_file_ok,
        )
        o = receipt.outcome
        return (
            f"Innsending {receipt.submission_id}: {receipt.persons} personer, {kr(receipt.total)}. "
            f"Utrukne {o.utrukne}, ukjente {o.unknown}, avvik {o.anomalies}."
        )
    if args.command == "reconcile-period":
        run = reconcile.reconcile_period(store, actor=CLI, period=periods.parse(args.period))
        return f"{run.companies} bedrifter avstemt på nytt, {run.new_utrukne} nye utrukne."
    if args.command == "reconciliation":
        company = companies.by_orgnr(store, actor=CLI, orgnr=args.company)
        result = review.report(store, actor=CLI, company_id=company.id, period=periods.parse(args.period))
        as_json = review.as_json(result)
        if args.json:
            return json.dumps(as_json, ensure_ascii=False)
        return (
            f"Utrukne: {len(as_json['utrukne'])}, ukjente: {len(as_json['unknown'])}, "
            f"avvik: {len(as_json['anomalies'])}"
        )
    if args.command == "set-rate":
        try:
            valid_from = date.fromisoformat(args.valid_from)
        except ValueError as exc:
            raise InvalidInput("Datoen skrives ÅÅÅÅ-MM-DD.") from exc
        settings_store.set_rate(
            store,
            actor=CLI,
            rate_class=args.rate_class,
            valid_from=valid_from,
            percent=args.percent,
            monthly_cap=args.cap,
        )
        return f"Satsen for {args.rate_class} fra {valid_from:%d.%m.%Y} er lagret."
    if args.command == "set-setting":
        settings_store.set_value(store, actor=CLI, key=args.key, value=args.value)
        return f"{args.key} = {args.value}"
    if args.command == "copy-store":
        copied = store_copy.copy_store(store, to=args.to, files=args.files)
        return f"Kopiert {sum(copied.values())} rader i {len(copied)} tabeller til PostgreSQL."
    if args.command == "migrate":
        done = f"Databasen er oppgradert til migrering {max(v for v, _, _ in migration_files(store.engine)):03d}."
        if args.grant_to:
            if store.engine != "postgres":
                raise InvalidInput("--grant-to gjelder bare PostgreSQL.")
            store.cur.grant_runtime(args.grant_to)
            done += (
                f" Rollen {args.grant_to} kan lese og skrive rader, men ikke endre tabellene, og den kan bare"
                " legge til i loggen."
            )
        return done
    if args.command == "backup":
        taken = backup.take(store, directory=Path(args.directory))
        return (
            f"Sikkerhetskopi skrevet: {taken.path.name} ({taken.rows} rader i {taken.tables} tabeller,"
            f" {taken.files} filer, {taken.size_bytes / 1_000_000:.1f} MB), kryptert til forbundets nøkkel."
        )
    if args.command == "purge-audit":
        removed = audit_purge.purge(store, actor=CLI)
        return f"{removed} logglinjer eldre enn oppbevaringstiden er slettet."
    if args.command == "seed-demo":
        if not store.settings.demo:
            raise ConfigError(
                "Demodata legges bare inn i en demodatabase: kjør med PORTAL_DEMO=1 og en egen datamappe."
            )
        created = demo.seed(store)
        return ("Demodata lagt inn.\n" if created else "Demodata fantes fra før.\n") + demo.login_help()
    raise AssertionError(args.command)


def health_command(args: argparse.Namespace) -> int:
    """Print one line per check; 0 when all are fine, 1 when one is not (systemd, cron, monitoring)."""
    if args.portal:
        try:
            with urllib.request.urlopen(args.portal.rstrip("/") + "/portal/helse", timeout=30) as answer:
                print(answer.read().decode())
                return 0
        except urllib.error.HTTPError as answer:
            print(answer.read().decode())
            return 1
        except OSError as problem:
            print(f"FEIL  portal          Portalen svarer ikke på {args.portal}: {problem}")
            return 1
    checks = health.run_checks(load_settings(web=False))
    print(health.report(checks))
    return 0 if all(c.ok for c in checks) else 1


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "health":
        try:
            return health_command(args)
        except ConfigError as problem:
            print(f"Feil: {problem}", file=sys.stderr)
            return 1
        finally:
            close_all()
    try:
        print(run(args))
        return 0
    except (PortalError, ConfigError, StoreUnavailable) as exc:
        print(f"Feil: {exc}", file=sys.stderr)
        return 2
    finally:
        close_all()


if __name__ == "__main__":
    sys.exit(main())
