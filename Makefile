# Baznegar: `make run` starts the product on its embedded defaults; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BAZNEGAR_HOST ?= 127.0.0.1
BAZNEGAR_PORT ?= 8000
export BAZNEGAR_HOST BAZNEGAR_PORT

.PHONY: run test test-fast setup demo-passwords messages assets lint bench

$(STAMP): requirements/base.txt requirements/dev.txt requirements/ldap.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt -r requirements/dev.txt
	@# directory sign-in (docs/operations.md): python-ldap builds against OpenLDAP's headers, so it is
	@# installed where they are (libldap2-dev, libsasl2-dev; .ci/run installs them)
	if [ -f /usr/include/ldap.h ] && [ -f /usr/include/sasl/sasl.h ]; then \
	  $(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/ldap.txt; fi
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python manage.py setup_database  # migrate (as DATABASE_OWNER_URL when set: two logins)
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "Baznegar is starting at http://$(BAZNEGAR_HOST):$(BAZNEGAR_PORT)/  (web, Celery worker and beat; Ctrl-C stops all)"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile.dev start

# every test, one worker per core (pytest-xdist; each worker has its own test database)
test: setup
	$(BIN)/python -m pytest -n auto

# the suite without the browser, the real worker and broker runs and `make run`: a minute on two cores
test-fast: setup
	$(BIN)/python -m pytest -n auto -m "not browser and not slow and not redis"

demo-passwords: setup
	$(BIN)/python manage.py load_demo --reset-passwords

messages: setup
	$(BIN)/python manage.py makemessages --locale fa --no-obsolete --ignore '.venv/*' --ignore 'assets/*'
	$(BIN)/python manage.py compilemessages --locale fa --ignore '.venv/*'

assets:
	bash assets/vendor.sh

lint: setup
	$(BIN)/ruff check .
	$(BIN)/lint-imports

bench: setup
	bash bench/run.sh
