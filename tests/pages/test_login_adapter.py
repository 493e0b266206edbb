"""The contract between the login adapter and streamlit-authenticator.

The adapter (pages/ui/login.py) relies on a few of the library's internals. When an upgrade moves
one, these tests fail and say which, naming the installed version, before any user meets it.
"""

import inspect
import re

import pytest
from streamlit_authenticator.controllers.authentication_controller import AuthenticationController
from streamlit_authenticator.controllers.cookie_controller import CookieController
from streamlit_authenticator.models.authentication_model import AuthenticationModel
from streamlit_authenticator.models.cookie_model import CookieModel
from streamlit_authenticator.views.authentication_view import Authenticate

from pages.ui import login as adapter


def _broken(what: str) -> str:
    return (
        f"streamlit-authenticator {adapter.library_version()} (the adapter was written against "
        f"{adapter.TESTED_VERSION}): {what}. Read pages/ui/login.py before upgrading."
    )


def test_the_installed_version_is_the_one_the_adapter_was_tested_with():
    assert adapter.library_version() == adapter.TESTED_VERSION, _broken("another version is installed")


WHERE = {
    "authentication_controller": AuthenticationController,
    "authentication_model": AuthenticationModel,
    "cookie_controller": CookieController,
    "cookie_model": CookieModel,
}


def _seam_problem(path: str) -> str | None:
    """Why a dotted path from an Authenticate instance no longer leads anywhere, or None."""
    owner: type = Authenticate
    for part in path.split("."):
        source = inspect.getsource(owner.__init__)
        if part in WHERE:
            if f"self.{part}" not in source:
                return f"{owner.__name__} no longer sets {part}"
            owner = WHERE[part]
        elif not (hasattr(owner, part) or f"self.{part}" in source):
            return f"{owner.__name__} has no {part}"
    return None


def test_the_seams_the_adapter_reaches_exist():
    problems = [f"{what} ({path}): {_seam_problem(path)}" for what, path in adapter.SEAMS if _seam_problem(path)]
    assert problems == [], _broken("; ".join(problems))


def test_a_seam_that_moved_is_caught():
    assert _seam_problem("authentication_controller.authentication_model.check_password") is not None
    assert _seam_problem("cookie_controller.cookie_jar.cookie_manager") is not None


def test_the_login_calls_our_credential_check_and_reads_only_the_entry_we_give():
    """The model's login asks `check_credentials`, then reads the user's entry, never a hash."""
    source = inspect.getsource(AuthenticationModel.login)
    assert "self.check_credentials(username, password)" in source, _broken("login no longer calls check_credentials")
    assert "self.credentials['usernames'][username]" in source, _broken("login reads the credentials differently")
    assert "'password'" not in source, _broken("login reads a password from the credentials itself")


def test_the_library_makes_its_cookie_controller_where_the_adapter_replaces_it():
    """No cookie component is drawn: the library takes its controller class from the module the
    adapter sets it in, and calls only what `NoCookie` has."""
    from streamlit_authenticator.views import authentication_view

    source = inspect.getsource(Authenticate.__init__)
    assert "CookieController(" in source, _broken("Authenticate makes its cookie controller differently")
    assert authentication_view.CookieController is adapter.NoCookie
    called = set()
    for method in (Authenticate.login, Authenticate.logout, Authenticate.__init__):
        called |= set(re.findall(r"self\.cookie_controller\.(\w+)\(", inspect.getsource(method)))
    assert called <= {"get_cookie", "set_cookie", "delete_cookie"}, _broken(f"it calls {sorted(called)}")


def test_a_zero_day_cookie_is_never_written_so_never_read():
    """The library's own cookie stays unwritten at expiry 0: only our cookie logs anyone in."""
    source = inspect.getsource(CookieModel.set_cookie)
    assert "if self.cookie_expiry_days != 0" in source, _broken("a cookie expiring in 0 days is written anyway")


def test_the_cookie_component_sets_and_deletes_by_name_and_key():
    from extra_streamlit_components import CookieManager

    for method, wanted in (("set", {"cookie", "val", "key", "expires_at"}), ("delete", {"cookie", "key"})):
        parameters = set(inspect.signature(getattr(CookieManager, method)).parameters)
        assert wanted <= parameters, _broken(f"CookieManager.{method} takes {sorted(parameters)}")


@pytest.mark.parametrize("field", ["Form name", "Username", "Password", "Login"])
def test_the_form_labels_we_set_are_the_ones_it_reads(field):
    source = inspect.getsource(Authenticate.login)
    assert f"'{field}'" in source, _broken(f"the login form no longer reads the label «{field}»")
