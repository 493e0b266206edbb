"""The Streamlit glue, beside the pages it serves: the only code besides the pages that imports streamlit.

- `run`: the store's cursor for this script run, the settings, who acts, which company
- `login`: the login adapter (our flow and session; streamlit-authenticator behind it)
- `downloads`: downloads served only to a session still live
- `widgets`: tables safe to download, paging, messages
- `operations`: the staff pages' warning when backups are not being taken
- `frame`: the look, the logo, Norwegian for Streamlit's texts, the top bar with the company switcher

Pages import `from pages import ui` and use the names below.
"""

from pages.ui.downloads import excel_download, guarded_download, show_refused_downloads
from pages.ui.frame import dress, top_bar
from pages.ui.login import (
    authenticate,
    cancel_login,
    display_name,
    login_form,
    pending_second_factor,
    request_logout,
    second_factor_passed,
)
from pages.ui.operations import backup_warning
from pages.ui.run import (
    actor,
    begin_run,
    choose_company,
    company,
    current_company_id,
    refused_company,
    require_company,
    settings,
    source,
    store,
    viewer,
)
from pages.ui.widgets import (
    PERSON_LINK,
    flash,
    page_buttons,
    person_link,
    person_link_column,
    show_error,
    show_flash,
    table,
)

__all__ = [
    "PERSON_LINK",
    "actor",
    "authenticate",
    "backup_warning",
    "begin_run",
    "cancel_login",
    "choose_company",
    "company",
    "current_company_id",
    "display_name",
    "dress",
    "excel_download",
    "flash",
    "guarded_download",
    "login_form",
    "page_buttons",
    "pending_second_factor",
    "person_link",
    "person_link_column",
    "refused_company",
    "request_logout",
    "second_factor_passed",
    "require_company",
    "settings",
    "show_error",
    "show_flash",
    "show_refused_downloads",
    "source",
    "store",
    "table",
    "top_bar",
    "viewer",
]
