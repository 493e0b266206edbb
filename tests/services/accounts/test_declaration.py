import pytest

from services.access import Actor
from services.accounts import declaration
from services.errors import InvalidInput
from tests.helpers import add_employer


def test_declaration_must_be_ticked_and_a_new_version_asks_again(store, company):
    user = add_employer(store)
    actor = Actor(user.id, user.email, user.role)
    assert declaration.needs_acceptance(store, actor=actor)
    with pytest.raises(InvalidInput):
        declaration.accept(store, actor=actor, accepted=False)
    assert declaration.needs_acceptance(store, actor=actor)
    declaration.accept(store, actor=actor, accepted=True)
    assert not declaration.needs_acceptance(store, actor=actor)
    accepted_at, version = store.row(
        "SELECT declaration_accepted_at, declaration_version FROM users WHERE id = ?", [user.id]
    )
    assert accepted_at is not None and version == declaration.VERSION
    assert declaration.needs_acceptance(store, actor=actor, version="2")
    declaration.accept(store, actor=actor, accepted=True, version="2")
    assert not declaration.needs_acceptance(store, actor=actor, version="2")


def test_declaration_text_is_the_help_pages():
    text = " ".join(declaration.PARAGRAPHS)
    assert "straffelovens kapittel 21 samt markedsføringslovens § 28 og § 29" in text
    assert all(url.startswith("https://lovdata.no/") for _, url in declaration.REFERENCES)
