"""The Streamlit glue, beside the pages it serves: the only code besides the pages that imports streamlit.

- `run`: the store's cursor for this script run, the settings, who acts, which company
- `login`: the login adapter (our flow and session; streamlit-authenticator behind it)
- `downloads`: downloads served only to a session still live
- `widgets`: tables safe to download, paging, messages

Pages import `from pages import ui` and use the names below.
"""

from pages.ui.downloads import excel_download, guarded_download, show_refused_downloads
from pages.ui.login import authenticate, display_name, login_form, request_logout
from pages.ui.run import (
    actor,
    begin_run,
    choose_company,
    current_company_id,
    require_company,
    settings,
    store,
    viewer,
)
from pages.ui.widgets import flash, page_buttons, show_error, show_flash, table

__all__ = [
    "actor",
    "authenticate",
    "begin_run",
    "choose_company",
    "current_company_id",
    "display_name",
    "excel_download",
    "flash",
    "guarded_download",
    "login_form",
    "page_buttons",
    "request_logout",
    "require_company",
    "settings",
    "show_error",
    "show_flash",
    "show_refused_downloads",
    "store",
    "table",
    "viewer",
]
