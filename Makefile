# kpireport front door. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SYSTEM := $(VENV)/.system-stamp

.DEFAULT_GOAL := help
.PHONY: help setup pack test test-fast lab lint bench sample clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed -E 's/:.*## /\t/' | expand -t 14

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e ".[dev]"
	@touch $(STAMP)

$(SYSTEM): scripts/system-deps.sh
	@bash scripts/system-deps.sh
	@touch $(SYSTEM)

# kpilib's bytecode compiled ahead, as a non-editable install would: with PYTHONDONTWRITEBYTECODE
# set, every process (the pack, each kernel) would otherwise compile kpilib afresh (~0.8 s)
setup: $(STAMP) $(SYSTEM)  ## create .venv, install the project and the Debian packages it needs
	@$(BIN)/python -m compileall -q kpilib bench >/dev/null

pack: setup  ## build the demo report pack (HTML + PDF) from data/sample/ into reports/
	$(BIN)/kpireport pack --data data/sample --format html,pdf

# two test processes on the cores: one BLAS thread each (kpilib/cores.py says why)
test: setup  ## run the whole test suite (what CI runs)
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 -q

test-fast: setup  ## the test suite without tests marked slow
	OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 -q -m "not slow"

lab: setup  ## open JupyterLab on notebooks/ with the project environment
	$(BIN)/jupyter lab notebooks/

lint: setup  ## ruff
	$(BIN)/ruff check kpilib tests bench

bench: setup  ## run the benchmarks and print the figures (see bench/README.md)
	$(BIN)/python bench/run.py

sample: setup  ## regenerate data/sample/ (deterministic)
	$(BIN)/kpireport demo-data --out data/sample

clean:  ## remove generated reports and their cache (keeps .venv)
	rm -rf reports
