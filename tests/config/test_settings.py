"""Start-up with a production environment: refuses bad settings in one line, passes the deploy check."""

import secrets
import subprocess
import sys

import pytest

from tests.conftest import ROOT, subprocess_env

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": secrets.token_urlsafe(60),
    "ALLOWED_HOSTS": "plan.example.org",
    "DATABASE_URL": "postgres://baznegar:secret@db.example.org:5432/baznegar",
    "REDIS_URL": "redis://redis.example.org:6379/0",
    "AUDIT_SIGNING_KEY": "bm90LWEtcmVhbC1rZXktanVzdC0zMi1ieXRlcy1sbyE=",
}


def manage(*args, **env_changes):
    env = subprocess_env(**PRODUCTION)
    for key, value in env_changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_environment_passes_the_deploy_check_with_no_warning():
    result = manage("check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"SECRET_KEY": None}, "SECRET_KEY: is required"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY: must be at least 50"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS: is required"),
        ({"DATABASE_URL": None}, "DATABASE_URL: is required"),
        ({"DATABASE_URL": "nosuchdb://x"}, "DATABASE_URL: unsupported database scheme"),
        ({"REDIS_URL": None}, "REDIS_URL: is required"),
        ({"REDIS_URL": "http://redis"}, "REDIS_URL: malformed broker URL"),
        ({"SECURE_SSL_REDIRECT": "maybe"}, "SECURE_SSL_REDIRECT: expected true or false"),
        ({"SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS: expected a whole number"),
        ({"AUDIT_SIGNING_KEY": None}, "AUDIT_SIGNING_KEY: is required"),
        ({"AUDIT_SIGNING_KEY": "not-a-key"}, "AUDIT_SIGNING_KEY: cannot be read"),
        ({"AUDIT_SIGNING_KEY": None, "AUDIT_SIGNING_KEY_FILE": "/no/key"}, "AUDIT_SIGNING_KEY: cannot be read"),
    ],
)
def test_a_bad_setting_stops_start_up_with_one_line_naming_it(changes, named):
    result = manage("check", **changes)
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines == [f"baznegar: configuration error: {named}" + lines[0].split(named, 1)[1]]
    assert "Traceback" not in result.stderr


def test_local_default_needs_no_environment():
    env_changes = dict.fromkeys(("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS"))
    result = manage("check", DJANGO_SETTINGS_MODULE="config.settings.local", **env_changes)
    assert result.returncode == 0, result.stderr
