"""Every page of every role runs without an exception (demo data, demo mode)."""

import ast
from dataclasses import replace
from pathlib import Path

import pytest

from services import db, demo
from tests.helpers import USED_STEPS
from tests.pages.conftest import log_in, new_app

ROOT = Path(__file__).resolve().parents[2]
EMPLOYER_PAGES = [
    "pages/employer/home.py",
    "pages/employer/submit.py",
    "pages/employer/fill_in.py",
    "pages/employer/history.py",
    "pages/employer/letters.py",
    "pages/employer/not_deducted.py",
    "pages/demo_inbox.py",
]


@pytest.fixture
def demo_store(app_store, monkeypatch):
    monkeypatch.setenv("PORTAL_DEMO", "1")
    # Seeded as `make run` seeds it: in demo mode, where the demo staff user's known key is allowed.
    demo.seed(db.open_store(replace(app_store.settings, demo=True)))
    # A new store: none of the demo staff user's codes is used there yet.
    USED_STEPS.pop(demo.DEMO_STAFF, None)
    app_store.execute("UPDATE users SET declaration_version = '1'")
    return app_store


@pytest.mark.parametrize("page", EMPLOYER_PAGES)
def test_employer_pages_run(demo_store, page):
    at = log_in(new_app(), demo.DEMO_EMPLOYER, demo.DEMO_PASSWORD)
    at.switch_page(page)
    at.run()
    assert not at.exception
    assert at.title
    assert_choices_in_norwegian(at)


def assert_choices_in_norwegian(at) -> None:
    """Streamlit's own placeholder for a choice box is English («Choose an option»): every box has ours."""
    boxes = [*at.selectbox, *at.multiselect]
    assert all(box.proto.placeholder and not box.proto.placeholder.startswith("Choose") for box in boxes), [
        (box.label, box.proto.placeholder) for box in boxes
    ]


def test_every_choice_box_in_the_code_is_given_a_placeholder():
    """The same for boxes no demo page draws: the placeholder is decided before drawing, never replaced after."""
    missing = []
    for path in sorted([ROOT / "Home.py", *(ROOT / "pages").rglob("*.py")]):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in ("selectbox", "multiselect")
                and not any(k.arg == "placeholder" for k in node.keywords)
            ):
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert missing == []


@pytest.mark.parametrize(
    "page",
    [
        "pages/staff/admin.py",
        "pages/staff/overview.py",
        "pages/staff/incoming.py",
        "pages/staff/members.py",
        "pages/staff/person.py",
        "pages/staff/reconciliation.py",
        "pages/staff/letters.py",
        "pages/demo_inbox.py",
    ],
)
def test_staff_pages_run(demo_store, page):
    at = log_in(new_app(), demo.DEMO_STAFF, demo.DEMO_PASSWORD)
    at.switch_page(page)
    at.run()
    assert not at.exception
    assert at.title
    assert_choices_in_norwegian(at)


def test_demo_inbox_shows_the_code_before_login(demo_store):
    at = new_app()
    at.switch_page("pages/demo_inbox.py")
    at.run()
    assert at.title[0].value == "Demo: innboks"
    assert any("Kvittering" in e.label for e in at.expander)


def test_demo_inbox_does_not_exist_outside_demo_mode(app_store):
    at = new_app()
    with pytest.raises(ValueError):
        at.switch_page("pages/demo_inbox.py")


def test_the_portal_refuses_to_start_without_a_cookie_key_and_says_why(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PORTAL_DEMO", "0")
    monkeypatch.setenv("PORTAL_COOKIE_KEY", "change-me")
    at = new_app()
    assert "Portalen kan ikke starte" in at.error[0].value and "PORTAL_COOKIE_KEY" in at.error[0].value
    assert not at.text_input  # no login form, nothing else
    assert not (tmp_path / "data" / "portal.duckdb").exists()
