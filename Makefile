# Data in Space: `make lab` to learn, `make test` to check everything.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: setup lab test bench traces clean exercises

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	$(PYTHON) -c 'import sys; sys.exit("Python 3.10 or newer is needed") if sys.version_info < (3, 10) else None'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $(STAMP)

setup: $(STAMP)  ## create .venv with the pinned packages and the helpers

lab: setup  ## open JupyterLab on the course, on 127.0.0.1 only
	$(VENV)/bin/jupyter lab --ServerApp.ip=127.0.0.1 --ServerApp.root_dir=notebooks \
		--LabApp.default_url=/lab/tree/00_start_here.ipynb $(if $(filter 0,$(shell id -u)),--allow-root)

test: setup  ## run the whole suite: unit tests, every notebook (nbval), the browser test
	$(PY) -m pytest

bench: setup  ## measure start/stop times and round trips into benchmarks/results.json
	$(PY) -m benchmarks

exercises: setup  ## write notebooks/exercises/ from notebooks/solutions/ (solution code replaced by stubs)
	$(PY) tools/make_exercises.py

clean:
	rm -rf $(VENV) build *.egg-info

traces: setup  ## record data/*.pcap from the course's real exchanges (needs root)
	$(PY) -m helpers.packets.record_traces
