import secrets

import pytest

from services.config import ConfigError, cookie_key_problem, load_settings


def test_refuses_to_start_without_cookie_key_outside_demo(tmp_path):
    with pytest.raises(ConfigError, match="PORTAL_COOKIE_KEY"):
        load_settings({"PORTAL_DATA_DIR": str(tmp_path)}, secrets_file=tmp_path / "none.toml")


@pytest.mark.parametrize(
    "key",
    ["short-key", "change-me-change-me-change-me-change-me", "a" * 40, "some_key" * 5],
)
def test_placeholder_or_weak_keys_are_refused(tmp_path, key):
    assert cookie_key_problem(key)
    with pytest.raises(ConfigError):
        load_settings({"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_COOKIE_KEY": key}, secrets_file=tmp_path / "x")


def test_random_key_is_accepted_and_env_overrides_secrets_file(tmp_path):
    key = secrets.token_urlsafe(48)
    secrets_file = tmp_path / "secrets.toml"
    secrets_file.write_text(
        f'PORTAL_COOKIE_KEY = "{key}"\nPORTAL_SECRET_KEY = "{key[::-1]}"\nPORTAL_MAIL_FROM = "fil@forbund.test"\n'
    )
    settings = load_settings(
        {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_MAIL_FROM": "env@forbund.test"}, secrets_file=secrets_file
    )
    assert settings.cookie_key == key and settings.secret_key == key[::-1]
    assert settings.mail_from == "env@forbund.test"
    assert settings.sendgrid_api_key is None
    assert settings.sendgrid_api_host == "https://api.sendgrid.com"
    assert not settings.demo


def test_demo_mode_makes_and_keeps_a_random_key(tmp_path):
    env = {"PORTAL_DATA_DIR": str(tmp_path / "d"), "PORTAL_DEMO": "1"}
    first = load_settings(env, secrets_file=tmp_path / "x")
    second = load_settings(env, secrets_file=tmp_path / "x")
    assert first.demo and first.cookie_key == second.cookie_key
    assert cookie_key_problem(first.cookie_key) is None
    assert first.secret_key == second.secret_key and first.secret_key != first.cookie_key
    assert cookie_key_problem(first.secret_key) is None


def test_refuses_to_start_without_a_fit_secret_key_outside_demo(tmp_path):
    """The key that hashes one-time codes and seals second factors: the portal needs a real one;
    the command line starts without it. The settings never show a key in their repr."""
    base = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_COOKIE_KEY": secrets.token_urlsafe(48)}
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY er ikke satt"):
        load_settings(base, secrets_file=tmp_path / "x")
    with pytest.raises(ConfigError, match="PORTAL_SECRET_KEY ser ut som en eksempelverdi"):
        load_settings(
            {**base, "PORTAL_SECRET_KEY": "change-me-change-me-change-me-change-me"}, secrets_file=tmp_path / "x"
        )
    assert load_settings(base, secrets_file=tmp_path / "x", web=False).secret_key == ""
    fit = load_settings({**base, "PORTAL_SECRET_KEY": secrets.token_urlsafe(48)}, secrets_file=tmp_path / "x")
    assert fit.secret_key not in repr(fit) and fit.cookie_key not in repr(fit)


def test_placeholder_like_and_low_entropy_cookie_keys_are_refused():
    import secrets

    from services.config import cookie_key_problem

    for key in (
        "your-cookie-key-goes-here-1234567890",
        "changeme-changeme-changeme-changeme",
        "a" * 40,
        "abcdefghijklmnopqrstuvwxyz0123456789",
        "ab" * 20,
    ):
        assert cookie_key_problem(key) is not None, key
    for key in [secrets.token_urlsafe(48) for _ in range(2000)] + [secrets.token_hex(32) for _ in range(2000)]:
        assert cookie_key_problem(key) is None, key


def test_a_logo_file_must_exist(tmp_path):
    base = {
        "PORTAL_DATA_DIR": str(tmp_path),
        "PORTAL_COOKIE_KEY": secrets.token_urlsafe(48),
        "PORTAL_SECRET_KEY": secrets.token_urlsafe(48),
    }
    assert load_settings(base, secrets_file=tmp_path / "none.toml").union_logo == ""
    with pytest.raises(ConfigError, match="PORTAL_UNION_LOGO"):
        load_settings({**base, "PORTAL_UNION_LOGO": str(tmp_path / "mangler.png")}, secrets_file=tmp_path / "none.toml")
    logo = tmp_path / "logo.svg"
    logo.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    assert load_settings(
        {**base, "PORTAL_UNION_LOGO": str(logo)}, secrets_file=tmp_path / "none.toml"
    ).union_logo == str(logo)
