# Two entry points for a newcomer: `make run` (the default training run) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test bench

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	# The CPU build of torch first, so stable-baselines3 does not pull a GPU build.
	$(PY) -m pip install --quiet torch==2.13.0
	$(PY) -m pip install --quiet -e ".[dev,chem]"
	touch $(STAMP)

run: $(STAMP)
	$(VENV)/bin/crlqas train

test: $(STAMP)
	$(PY) -m pytest -q

bench: $(STAMP)
	$(PY) benchmarks/bench_sim.py
	$(PY) benchmarks/bench_env.py
