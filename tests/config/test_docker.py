"""No Docker engine runs here: check what can be checked of the production stack."""

import importlib
import os
import re

import yaml

from tests.conftest import ROOT

DOCKER = ROOT / "docker"


def compose():
    return yaml.safe_load((DOCKER / "compose.yml").read_text())


def test_compose_has_every_role_and_parses():
    services = compose()["services"]
    assert set(services) == {"web", "worker", "beat", "db", "redis"}
    for role in ("web", "worker", "beat"):
        assert services[role]["build"]["dockerfile"] == "docker/Dockerfile"
        assert services[role]["depends_on"]["db"]["condition"] == "service_healthy"


def test_every_start_script_named_exists_and_is_executable():
    for role in ("web", "worker", "beat"):
        (script,) = compose()["services"][role]["command"]
        path = ROOT / script
        assert path.exists(), script
        assert os.access(path, os.X_OK), f"{script} is not executable"
        assert (DOCKER / "Dockerfile").read_text().count("start-") >= 1


def test_every_module_the_scripts_name_imports():
    text = " ".join((DOCKER / f"start-{role}.sh").read_text() for role in ("web", "worker", "beat"))
    module, attribute = re.search(r"gunicorn (\S+):(\S+)", text).groups()
    assert hasattr(importlib.import_module(module), attribute)
    for app_module in re.findall(r"celery -A (\S+)", text):
        assert importlib.import_module(app_module).celery_app.main == "baznegar"
    assert "manage.py setup_database" in text  # migrations as the owner, then the application's grants
    assert "unset DATABASE_OWNER_URL" in text


def test_image_installs_the_locked_requirements_and_serves_its_own_static_files():
    dockerfile = (DOCKER / "Dockerfile").read_text()
    assert "--require-hashes -r requirements/base.txt" in dockerfile
    assert "collectstatic" in dockerfile
    for line in dockerfile.splitlines():
        if line.startswith("COPY "):
            source = line.split()[-2]
            assert source == "." or (ROOT / source).exists(), source
