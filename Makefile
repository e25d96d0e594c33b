# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format check install clean-local

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list or the lock changes.
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,embedded]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m tracker.devstack run

test: $(STAMP)
	$(BIN)/python -m tracker.devstack test $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Deployment checks with dummy secrets, as CI runs them.
check: $(STAMP)
	$(BIN)/python -m tracker.devstack exec -- $(BIN)/python manage.py makemigrations --check --dry-run
	TRACKER_ENV=production SECRET_KEY=ci-dummy-secret-key-that-is-long-enough-to-pass-the-deploy-check-0123456789 \
	ALLOWED_HOSTS=tracker.example.org DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

clean-local:
	rm -rf .local
