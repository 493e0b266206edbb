"""Administrasjon for the union's staff: companies, users and their access, the audit log, and
«Drift»: the health checks and the backups."""

from datetime import timedelta

import pandas as pd
import streamlit as st

from pages import ui
from pages.ui import confirm
from pages.ui.column_picker import ROLE_LABELS
from pages.ui.factor import own_factor
from services import audit, audit_words, fields, localtime, settings_store
from services.accounts import companies, second_factor, sessions, users
from services.errors import NeedsConfirmation, PortalError
from services.lists import layouts
from services.localtime import shown, utc_start_of
from services.money import kr
from services.operations import backup, health
from services.text import plain

CHECK_LABELS = {
    "database": "Database",
    "migreringer": "Databaseversjon",
    "sidecar": "Tidsstyrt jobb",
    "e-post": "E-post",
    "sikkerhetskopi": "Sikkerhetskopi",
    "disk": "Diskplass",
}


def megabytes(size: int | None) -> str:
    return "" if size is None else f"{size / 1_000_000:.1f} MB".replace(".", ",")


store, actor = ui.store(), ui.actor()
st.title("Administrasjon")
with st.expander("Min innlogging i to trinn"):
    own_factor(actor)
tab_companies, tab_users, tab_settings, tab_log, tab_operations = st.tabs(
    ["Bedrifter", "Brukere og tilgang", "Satser og innstillinger", "Logg", "Drift"]
)

with tab_companies:
    # Drawn above the form, filled after it: a company registered in this run is in the table with
    # the message that says so, not only after the next click.
    company_table = st.empty()
    with st.form("add_company", clear_on_submit=True):
        st.subheader("Ny bedrift")
        orgnr = st.text_input("Organisasjonsnummer")
        name = st.text_input("Navn")
        if st.form_submit_button("Registrer bedrift"):
            try:
                company = companies.add_company(store, actor=actor, orgnr=orgnr, name=name)
            except PortalError as problem:
                ui.show_error(problem)
            else:
                st.success(f"{plain(company.name)} er registrert.")
    all_companies = companies.all_companies(store, actor=actor)
    with company_table.container():
        rows = [{"Organisasjonsnummer": c.orgnr, "Navn": c.name} for c in all_companies]
        ui.table(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.subheader("Endre bedrift")
    by_id = {c.id: f"{c.name} ({c.orgnr})" for c in all_companies}
    edit_id = st.selectbox(
        "Bedrift å endre",
        list(by_id),
        format_func=by_id.get,
        index=None,
        placeholder="Velg bedrift",
        key="edit_company_id",
    )
    if edit_id is not None:
        current = companies.details(store, actor=actor, company_id=edit_id)
        with st.form(f"edit_company_{edit_id}"):
            name = st.text_input("Navn", value=current.name, max_chars=fields.NAME)
            orgnr = st.text_input("Organisasjonsnummer", value=current.orgnr)
            contacts = st.text_area(
                "Kontaktadresser for påminnelser (i tillegg til brukerne), én per linje",
                value="\n".join(current.contact_emails),
            )
            active_from = st.date_input(
                "Sender gjennom portalen fra (måned)",
                value=current.active_from,
                format="DD.MM.YYYY",
                help="Tom: fra bedriftens første liste. Ingen liste mangler før denne måneden.",
            )
            if st.form_submit_button("Lagre bedrift"):
                try:
                    saved = companies.update_company(
                        store,
                        actor=actor,
                        company_id=edit_id,
                        name=name,
                        orgnr=orgnr,
                        contact_emails=contacts,
                        active_from=active_from or None,
                    )
                except PortalError as problem:
                    ui.show_error(problem)
                else:
                    ui.flash(f"{saved.name} er lagret.")
                    st.rerun()
        remembered = layouts.listed(store, actor=actor, company_id=edit_id)
        st.markdown("**Kolonner bedriften har valgt selv**")
        if not remembered:
            st.caption("Ingen: portalen leser bedriftens filer på egen hånd.")
        for saved_layout in remembered:
            described = ", ".join(
                f"{ROLE_LABELS.get(role, role)}: kolonne {chr(65 + col) if col < 26 else col + 1}"
                for role, col in sorted(saved_layout.columns.items(), key=lambda item: item[1])
            )
            left, right = st.columns([5, 1], vertical_alignment="center")
            left.caption(
                plain(
                    f"Overskrift «{saved_layout.header_key.replace('|', ' | ')}» (rad {saved_layout.header_row + 1}): "
                    f"{described}. Valgt av {saved_layout.saved_by or 'ukjent'} {shown(saved_layout.saved_at)}."
                )
            )
            if right.button("Nullstill", key=f"forget_layout_{saved_layout.id}"):
                try:
                    layouts.forget(store, actor=actor, company_id=edit_id, layout_id=saved_layout.id)
                except PortalError as problem:
                    ui.show_error(problem)
                else:
                    ui.flash("Kolonnevalget er nullstilt. Neste fil leses av portalen på egen hånd.")
                    st.rerun()
    ui.show_flash()


def invitation_again(person: users.User) -> None:
    """«Send invitasjonen på nytt»; past three mails a day it asks first, saying when the last one went."""
    again = confirm.confirmed("invite", person.id)
    if not st.button("Send invitasjonen på nytt", disabled=confirm.pending("invite", person.id)) and not again:
        return
    try:
        users.invite(store, actor=actor, user_id=person.id, confirmed=again)
    except NeedsConfirmation as question:
        confirm.ask("invite", person.id, question)
    except PortalError as problem:
        ui.show_error(problem)
    else:
        confirm.settle("invite")
        st.success(f"Invitasjonen er sendt til {plain(person.email)} på nytt.")


def user_sessions(person: users.User) -> None:
    """The user's open logins and second factor: ended or reset by staff, never by the user's mail."""
    open_now = sessions.open_sessions(store, actor=actor, user_id=person.id)
    if open_now:
        st.write(f"Åpne innlogginger: {len(open_now)}")
        ui.table(
            pd.DataFrame(
                [
                    {
                        "Logget inn": shown(s.started_at),
                        "Sist brukt": shown(s.last_seen_at),
                        "Fra": s.source or "ukjent",
                    }
                    for s in open_now
                ]
            ),
            hide_index=True,
        )
        if st.button("Avslutt alle innlogginger", key="end_sessions"):
            ended = sessions.end_sessions(store, actor=actor, user_id=person.id)
            st.session_state["_admin_flash"] = f"{person.email}: {ended} innlogging(er) er avsluttet."
            st.rerun()
    else:
        st.caption("Ingen åpne innlogginger.")
    if person.id in factors and person.id != actor.user_id:
        if st.button("Nullstill innlogging i to trinn (mistet telefon)", key="reset_factor"):
            try:
                second_factor.reset(store, actor=actor, user_id=person.id)
            except PortalError as problem:
                ui.show_error(problem)
            else:
                st.session_state["_admin_flash"] = (
                    f"{person.email} setter opp innlogging i to trinn på nytt ved neste innlogging. "
                    "Alle innlogginger er avsluttet."
                )
                st.rerun()


with tab_users:
    factors = second_factor.statuses(store, actor=actor)
    ui.table(
        pd.DataFrame(
            [
                {
                    "E-post": u.email,
                    "Navn": u.name,
                    "Rolle": "Forbundet" if u.is_staff else "Arbeidsgiver",
                    "Aktivert": "Ja" if u.activated else "Nei",
                    "Kan logge inn": "Ja" if u.may_log_in else "Nei (deaktivert)",
                    "Innlogging i to trinn": "Ja" if u.id in factors else "Nei",
                    "Bedrifter": ", ".join(u.companies),
                }
                for u in users.overview(store, actor=actor)
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    company_choices = {f"{c.name} ({c.orgnr})": c.orgnr for c in companies.all_companies(store, actor=actor)}
    with st.form("add_user", clear_on_submit=True):
        st.subheader("Ny bruker")
        email = st.text_input("E-post")
        name = st.text_input("Navn")
        chosen = st.multiselect("Tilgang til bedrifter", list(company_choices), placeholder="Velg bedrifter")
        staff = st.checkbox("Ansatt i forbundet")
        if st.form_submit_button("Registrer bruker"):
            try:
                user = users.add_user(
                    store,
                    actor=actor,
                    email=email,
                    name=name,
                    staff=staff,
                    company_orgnrs=[company_choices[c] for c in chosen],
                )
            except PortalError as problem:
                ui.show_error(problem)
            else:
                users.invite(store, actor=actor, user_id=user.id)
                st.success(
                    f"{plain(user.email)} er registrert og har fått en invitasjon på e-post om å aktivere kontoen."
                )
    with st.form("access"):
        st.subheader("Endre tilgang")
        email = st.text_input("Brukerens e-post")
        company_label = st.selectbox("Bedrift", list(company_choices), placeholder="Velg …")
        left, right = st.columns(2)
        give = left.form_submit_button("Gi tilgang")
        take = right.form_submit_button("Fjern tilgang")
        if (give or take) and company_label:
            change = users.grant if give else users.revoke
            try:
                changed = change(store, actor=actor, email=email, orgnr=company_choices[company_label])
            except PortalError as problem:
                ui.show_error(problem)
            else:
                if changed:
                    st.success("Tilgangen er gitt." if give else "Tilgangen er fjernet.")
                else:
                    st.info(
                        f"{plain(email.strip())} {'har allerede' if give else 'har ikke'} tilgang til "
                        f"{plain(company_label)}."
                    )
    st.subheader("Endre bruker")
    everyone = {u.id: f"{u.name} ({u.email})" for u in users.all_users(store, actor=actor)}
    edit_user_id = st.selectbox(
        "Bruker å endre",
        list(everyone),
        format_func=everyone.get,
        index=None,
        placeholder="Velg bruker",
        key="edit_user_id",
    )
    if edit_user_id is not None:
        person = users.get(store, user_id=edit_user_id)
        company_names = {c.id: f"{c.name} ({c.orgnr})" for c in companies.all_companies(store, actor=actor)}
        with st.form(f"edit_user_{edit_user_id}"):
            name = st.text_input("Navn", value=person.name, max_chars=fields.NAME)
            email = st.text_input("E-post", value=person.email)
            chosen_ids = None
            if not person.is_staff:
                chosen_ids = st.multiselect(
                    "Bedrifter brukeren har tilgang til",
                    list(company_names),
                    default=users.company_ids(store, actor=actor, user_id=edit_user_id),
                    format_func=company_names.get,
                    placeholder="Velg bedrifter",
                )
            if st.form_submit_button("Lagre bruker"):
                try:
                    saved_user = users.update_user(
                        store, actor=actor, user_id=edit_user_id, name=name, email=email, company_ids=chosen_ids
                    )
                except PortalError as problem:
                    ui.show_error(problem)
                else:
                    st.success(f"{plain(saved_user.name)} ({plain(saved_user.email)}) er lagret.")
    st.subheader("Deaktiver, aktiver eller slett bruker")
    everyone = {u.id: u for u in users.all_users(store, actor=actor)}
    chosen_id = st.selectbox(
        "Bruker",
        list(everyone),
        index=None,
        placeholder="Velg bruker",
        format_func=lambda i: (
            f"{everyone[i].email} ({everyone[i].name})" + (" – deaktivert" if everyone[i].deactivated_at else "")
        ),
        key="lifecycle_user",
    )
    if chosen_id is not None:
        chosen_user = everyone[chosen_id]
        cols = st.columns(4)
        confirm = st.checkbox("Ja, slett brukeren for godt", key="lifecycle_confirm_delete")
        if chosen_user.activated_at is None and chosen_user.deactivated_at is None:
            invitation_again(chosen_user)
        user_sessions(chosen_user)
        changes = {
            "deactivate": cols[0].button("Deaktiver", disabled=chosen_user.deactivated_at is not None),
            "reactivate": cols[1].button("Aktiver igjen", disabled=chosen_user.deactivated_at is None),
            "remove_staff": cols[2].button("Fjern forbundets rettigheter", disabled=not chosen_user.is_staff),
            "delete": cols[3].button("Slett bruker", disabled=not confirm),
        }
        done_messages = {
            "deactivate": "er deaktivert. Alle innlogginger er avsluttet.",
            "reactivate": "kan logge inn igjen.",
            "remove_staff": "har ikke lenger forbundets rettigheter. Alle innlogginger er avsluttet.",
            "delete": "er slettet.",
        }
        operations = {
            "deactivate": users.deactivate,
            "reactivate": users.reactivate,
            "remove_staff": users.remove_staff_rights,
            "delete": users.delete,
        }
        for change, clicked in changes.items():
            if clicked:
                try:
                    operations[change](store, actor=actor, user_id=chosen_id)
                except PortalError as problem:
                    ui.show_error(problem)
                else:
                    st.session_state["_admin_flash"] = f"{chosen_user.email} {done_messages[change]}"
                    st.session_state.pop("lifecycle_user", None)
                    st.rerun()
    flash = st.session_state.pop("_admin_flash", None)
    if flash:
        st.success(plain(flash))

with tab_settings:
    rates, setting_values = settings_store.overview(store, actor=actor)
    st.subheader("Kontingentsatser")
    ui.table(
        pd.DataFrame(
            [
                {
                    "Satsklasse": r.rate_class,
                    "Fra": r.valid_from.strftime("%d.%m.%Y"),
                    "Prosent": f"{r.percent.normalize():f}".replace(".", ",") + " %",
                    "Maks per måned": "" if r.monthly_cap is None else kr(r.monthly_cap).replace(",00", ""),
                }
                for r in rates
            ]
        ),
        hide_index=True,
    )
    with st.form("set_rate", clear_on_submit=True):
        left, middle, right, last = st.columns(4)
        rate_class = left.text_input("Satsklasse", value="ordinær")
        valid_from = middle.date_input(
            "Fra (1. januar eller 1. juli)",
            value=settings_store.next_rate_change(localtime.today()),
            format="DD.MM.YYYY",
        )
        percent = right.text_input("Prosent")
        cap = last.text_input("Maks per måned (kr)")
        if st.form_submit_button("Lagre sats"):
            try:
                settings_store.set_rate(
                    store,
                    actor=actor,
                    rate_class=rate_class,
                    valid_from=valid_from,
                    percent=percent,
                    monthly_cap=cap or None,
                )
            except PortalError as problem:
                ui.show_error(problem)
            else:
                st.success("Satsen er lagret.")
    st.subheader("Innstillinger")
    ui.table(
        pd.DataFrame(
            [{"Innstilling": v.key, "Verdi": v.value.replace(".", ","), "Betyr": v.meaning} for v in setting_values]
        ),
        hide_index=True,
    )
    with st.form("set_value"):
        key = st.selectbox(
            "Innstilling",
            list(settings_store.KNOWN),
            format_func=lambda k: f"{k}: {settings_store.KNOWN[k]}",
            placeholder="Velg …",
        )
        value = st.text_input("Ny verdi")
        if st.form_submit_button("Lagre innstilling"):
            try:
                settings_store.set_value(store, actor=actor, key=key, value=value)
            except PortalError as problem:
                ui.show_error(problem)
            else:
                st.success("Innstillingen er lagret.")

with tab_log:
    log_companies = {c.id: f"{c.name} ({c.orgnr})" for c in companies.all_companies(store, actor=actor)}
    who_col, company_col, action_col = st.columns(3)
    who = who_col.text_input("Bruker (e-post)", key="log_who")
    log_company = company_col.selectbox(
        "Bedrift", list(log_companies), index=None, format_func=log_companies.get, placeholder="Alle", key="log_company"
    )
    log_action = action_col.text_input("Handling (søk, f.eks. «brev» eller «passord»)", key="log_action")
    from_col, to_col = st.columns(2)
    log_from = from_col.date_input("Fra dato", value=None, format="DD.MM.YYYY", key="log_from")
    log_to = to_col.date_input("Til og med dato", value=None, format="DD.MM.YYYY", key="log_to")
    page_number = st.session_state.get("log_page", 0)
    found = audit.search(
        store,
        actor=actor,
        who=who,
        company_id=log_company,
        action=log_action,
        since=utc_start_of(log_from) if log_from else None,
        until=utc_start_of(log_to + timedelta(days=1)) if log_to else None,
        page=page_number,
    )
    log_filters = dict(
        who=who,
        company_id=log_company,
        action=log_action,
        since=utc_start_of(log_from) if log_from else None,
        until=utc_start_of(log_to + timedelta(days=1)) if log_to else None,
    )
    ui.excel_download(
        "Last ned som Excel",
        lambda db, current: audit.export(db, actor=current, **log_filters),
        file_name=f"logg-{localtime.today():%Y-%m-%d}.xlsx",
        key="log_export",
    )
    pages_total = max(1, -(-found.total // 100))
    st.caption(f"{found.total} hendelser · side {min(page_number, pages_total - 1) + 1} av {pages_total}")
    ui.table(
        pd.DataFrame(
            [
                {
                    "Tidspunkt": shown(e.occurred_at),
                    "Bruker": e.actor,
                    "Handling": audit_words.word(e.action),
                    "Bedrift": e.company or "",
                    "Gjelder": e.target or "",
                    "Detaljer": e.detail or "",
                }
                for e in found.entries
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    ui.page_buttons("log_page", page_number, pages_total, back="Nyere", forward="Eldre")

with tab_operations:
    st.subheader("Driftsstatus")
    checks = health.for_staff(store, actor=actor)
    ui.table(
        pd.DataFrame(
            [
                {
                    "Sjekk": CHECK_LABELS.get(c.name, c.name),
                    "Status": "I orden" if c.ok else "Feil",
                    "Tidspunkt": shown(c.at),
                    "Melding": c.message,
                }
                for c in checks
            ]
        ),
        hide_index=True,
        width="stretch",
    )
    failing = [c for c in checks if not c.ok]
    if failing:
        st.error(f"{len(failing)} av {len(checks)} sjekker feiler.", icon=":material/error:")
    else:
        st.success(f"Alle {len(checks)} sjekker er i orden.")
    st.subheader("Sikkerhetskopier")
    if store.settings.backup_dir is None:
        st.caption("Nattlig sikkerhetskopi er ikke satt opp: sett PORTAL_BACKUP_DIR og PORTAL_BACKUP_RECIPIENT.")
    else:
        st.caption(
            f"Tas hver natt fra kl. {store.settings.backup_hour:02d}; de siste {store.settings.backup_keep_daily}"
            f" dagene og {store.settings.backup_keep_weekly} ukene beholdes. Kryptert til forbundets nøkkel."
        )
        if st.button("Ta sikkerhetskopi nå", key="backup_now"):
            try:
                with st.spinner("Tar sikkerhetskopi …"):
                    taken = backup.take_now(store, actor=actor)
            except PortalError as problem:
                ui.show_error(problem)
            else:
                st.session_state.pop("_backup_warning", None)
                st.success(f"Sikkerhetskopien er tatt: {taken.rows} rader og {taken.files} filer.")
    runs = backup.last_runs(store, actor=actor)
    if runs:
        ui.table(
            pd.DataFrame(
                [
                    {
                        "Tatt": shown(r.started_at),
                        "Fil": r.file_name or "",
                        "Størrelse": megabytes(r.size_bytes),
                        "Rader": "" if r.table_rows is None else str(r.table_rows),
                        "Filer": "" if r.file_count is None else str(r.file_count),
                        "Resultat": "Feilet" if r.error else "Fullført",
                    }
                    for r in runs
                ]
            ),
            hide_index=True,
            width="stretch",
        )
    else:
        st.info("Ingen sikkerhetskopi er tatt ennå.")
