# Baznegar: `make run` starts the product on its embedded defaults; `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BAZNEGAR_HOST ?= 127.0.0.1
BAZNEGAR_PORT ?= 8000
export BAZNEGAR_HOST BAZNEGAR_PORT

.PHONY: run test setup demo-passwords messages assets lint bench

$(STAMP): requirements/base.txt requirements/dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check --require-hashes -r requirements/base.txt -r requirements/dev.txt
	touch $(STAMP)

setup: $(STAMP)

run: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	$(BIN)/python manage.py load_demo
	@echo ""
	@echo "Baznegar is starting at http://$(BAZNEGAR_HOST):$(BAZNEGAR_PORT)/  (web, Celery worker and beat; Ctrl-C stops all)"
	@echo ""
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho --procfile Procfile.dev start

test: setup
	$(BIN)/python -m pytest

demo-passwords: setup
	$(BIN)/python manage.py load_demo --reset-passwords

messages: setup
	$(BIN)/python manage.py makemessages --locale fa --no-obsolete --ignore '.venv/*' --ignore 'assets/*'
	$(BIN)/python manage.py compilemessages --locale fa --ignore '.venv/*'

assets:
	bash assets/vendor.sh

lint: setup
	$(BIN)/ruff check .

bench: setup
	bash bench/run.sh
