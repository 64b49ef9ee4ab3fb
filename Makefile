# Data in Space: `make lab` to learn, `make test` to check everything, `make help` for the rest.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
LATEST := .venv-latest
# the installer and the lock's compiler, pinned like everything else
PIP_PIN := pip==26.3
UV_PIN := uv==0.13.9
# One lock for Linux and macOS, Python 3.10 and newer: uv's --universal writes environment markers where
# versions differ (pip-tools locks for the one Python and OS it runs on). It keeps the versions already
# in requirements.lock unless an input needs another: `rm requirements.lock; make lock` moves everything.
LOCK_CMD := uv pip compile --universal --python-version 3.10 requirements-dev.txt requirements-spark.txt -o requirements.lock
INSTALL := $(PY) -m pip install --quiet
LEARNER_STAMP := $(VENV)/.installed-learner
DEV_STAMP := $(VENV)/.installed-dev

.DEFAULT_GOAL := help
.PHONY: help setup lab test lock test-latest bench traces clean exercises spark azurite budget hub hub-proxy

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14
	@echo
	@echo "In a terminal opened from JupyterLab (make lab), python is the course's: python -m helpers serve --list"
	@echo "In any other terminal, first type: source .venv/bin/activate  (or run .venv/bin/python -m helpers serve echo)"

$(LEARNER_STAMP): requirements.txt requirements.lock pyproject.toml tools/lab/overrides.json
	$(PYTHON) -c 'import sys; sys.exit("Python 3.10 or newer is needed") if sys.version_info < (3, 10) else None'
	$(PYTHON) -m venv $(VENV)
	$(INSTALL) $(PIP_PIN)
	$(INSTALL) -r requirements.txt -c requirements.lock
	$(INSTALL) --no-deps --build-constraint requirements.lock -e .
	$(PY) tools/lab --install-settings
	touch $@

$(DEV_STAMP): $(LEARNER_STAMP) requirements-dev.txt
	$(INSTALL) -r requirements-dev.txt -c requirements.lock
	touch $@

setup: $(LEARNER_STAMP)  ## create .venv with what a learner needs, at the locked versions

lab: setup  ## open JupyterLab on the course (127.0.0.1 only); its terminals use .venv's python
	$(PY) tools/lab

test: $(DEV_STAMP)  ## run the whole suite: unit tests, every notebook (nbval), the browser test
	$(PY) -m pytest

lock:  ## recompile requirements.lock from requirements*.txt (needs PyPI)
	$(PYTHON) -m venv $(VENV)
	$(INSTALL) $(UV_PIN)
	UV_PYTHON_DOWNLOADS=never $(VENV)/bin/$(LOCK_CMD)

test-latest:  ## the suite against the newest release of every direct dependency, in .venv-latest
	$(PYTHON) -m venv --clear $(LATEST)
	$(LATEST)/bin/python -m pip install --quiet --upgrade pip
	$(LATEST)/bin/python -m pip install --quiet --upgrade $$($(PYTHON) tools/latest.py names)
	$(LATEST)/bin/python -m pip install --quiet --no-deps -e .
	$(LATEST)/bin/python tools/lab --install-settings
	$(LATEST)/bin/python tools/latest.py moved
	$(LATEST)/bin/python -m pytest

spark: setup  ## optional: PySpark for notebook 14 (~500 MB; needs Java 17+)
	$(INSTALL) -r requirements-spark.txt -c requirements.lock

# Azurite, Microsoft's local Azure Storage endpoint, for notebook 15; 3.35 is the last release that runs on Node 20
AZURITE_PIN := azurite@3.35.0
azurite: setup  ## optional: Azurite for notebook 15's Azure cells (needs Node.js and npm)
	npm install --silent --no-audit --no-fund --prefix $(VENV)/azurite $(AZURITE_PIN)

# the hub's proxy, configurable-http-proxy, is a Node.js program (5.x needs Node.js 20 or newer)
PROXY_PIN := configurable-http-proxy@5.3.0
HUB_STAMP := $(VENV)/.installed-hub
$(HUB_STAMP): $(LEARNER_STAMP) requirements-hub.txt
	$(INSTALL) -r requirements-hub.txt -c requirements.lock
	touch $@

hub-proxy: setup  ## the class hub's proxy, from npm (make hub and the hub test need it)
	npm install --silent --no-audit --no-fund --prefix $(VENV)/chp $(PROXY_PIN)

hub: $(HUB_STAMP) hub-proxy  ## a JupyterHub for a class on this server (as root) or a demo for you; see docs/instructors.md
	$(PY) deploy/hub/start.py $(HUB_ARGS)

bench: setup  ## measure start/stop times and round trips into benchmarks/results.json
	$(PY) -m benchmarks

budget: $(DEV_STAMP)  ## Run All each notebook as a learner: its peak memory, CPU and wall time into benchmarks/budget.json
	$(PY) tools/budget.py

exercises: setup  ## write notebooks/exercises/ from notebooks/solutions/ (solution code replaced by stubs)
	$(PY) tools/make_exercises.py

clean:  ## remove .venv, .venv-latest and build output
	rm -rf $(VENV) $(LATEST) build *.egg-info

traces: setup  ## record data/*.pcap from the course's real exchanges (needs root)
	$(PY) -m helpers.packets.record_traces
