"""Command line for the union's operators (and tests).

    python -m services.cli init
    python -m services.cli add-company --orgnr N --name S
    python -m services.cli add-user --email E --name S [--company ORGNR]... [--staff]
    python -m services.cli grant --email E --company ORGNR
    python -m services.cli revoke --email E --company ORGNR
    python -m services.cli seed-demo
"""
from __future__ import annotations

import argparse
import sys

from services import companies, demo, users
from services.access import CLI
from services.config import ConfigError, load_settings
from services.db import StoreUnavailable, close_all, open_store
from services.errors import PortalError


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
    return parser


def run(args: argparse.Namespace) -> str:
    store = open_store(load_settings())
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
    if args.command == "seed-demo":
        created = demo.seed(store)
        return ("Demodata lagt inn.\n" if created else "Demodata fantes fra før.\n") + demo.login_help()
    raise AssertionError(args.command)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
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
