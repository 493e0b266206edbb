"""Demo mode is a property of the store: published demo passwords never meet real data."""

import secrets

import pytest

from services import cli, db
from services.config import ConfigError, load_settings
from tests.conftest import make_settings


def _refused(call) -> bool:
    try:
        call()
    except ConfigError:
        return True
    finally:
        db.close_all()
    return False


def test_demo_guard(tmp_path, monkeypatch, capsys, figure):
    real, demo = tmp_path / "ekte", tmp_path / "demo"
    db.open_store(make_settings(real))
    db.close_all()
    db.open_store(make_settings(demo, demo=True))
    db.close_all()

    def seed_demo_on_real():
        monkeypatch.setenv("PORTAL_DATA_DIR", str(real))
        monkeypatch.setenv("PORTAL_COOKIE_KEY", secrets.token_urlsafe(48))
        monkeypatch.setenv("PORTAL_SECRET_KEY", secrets.token_urlsafe(48))
        monkeypatch.delenv("PORTAL_DEMO", raising=False)
        assert cli.main(["seed-demo"]) == 2
        assert "demodatabase" in capsys.readouterr().err
        raise ConfigError("refused")

    refusals = [
        _refused(lambda: db.open_store(make_settings(real, demo=True))),
        _refused(seed_demo_on_real),
        _refused(lambda: db.open_store(make_settings(demo, demo=False))),
        _refused(
            lambda: load_settings(
                {"PORTAL_DEMO": "1", "SENDGRID_API_KEY": "SG.ekte", "PORTAL_DATA_DIR": str(tmp_path / "annen")}
            )
        ),
    ]
    figure(f"demo guard: {sum(refusals)}/4 refused")
    assert refusals == [True] * 4
    assert db.open_store(make_settings(real)).value("SELECT count(*) FROM users") == 0
    db.close_all()


def test_a_store_from_before_the_mode_was_written_is_judged_by_its_users(tmp_path):
    from services import demo as demo_data

    store = db.open_store(make_settings(tmp_path / "d", demo=True))
    demo_data.seed(store)
    store.execute("DELETE FROM store_identity")
    db.close_all()
    with pytest.raises(ConfigError):
        db.open_store(make_settings(tmp_path / "d", demo=False))
    db.close_all()
    assert db.open_store(make_settings(tmp_path / "d", demo=True)) is not None
    db.close_all()
