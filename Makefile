# Two commands for a fresh clone: `make run` and `make test`. Everything else is set up by them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
DB ?= data/flankwatch.duckdb

.PHONY: setup run demo demo-rebuild serve test test-fast bench fuzz train lock clean

setup: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test,spark]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/flankwatch demo --db $(DB)

demo-rebuild: $(STAMP)
	$(BIN)/flankwatch demo --force --db $(DB)

run: demo
	$(BIN)/flankwatch serve --db $(DB) --no-poll

serve: run

test: $(STAMP)
	$(BIN)/python -m pytest

test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not browser"

bench: $(STAMP)
	@for script in tests/bench/bench_*.py; do \
		echo "== $$script"; $(BIN)/python $$script || exit 1; \
	done

# A longer fuzzing campaign of the readers than the property tests (FUZZ_INPUTS mutated fixture and
# ../shared/realworld files); prints the inputs and the crashes by class, exits 1 on any crash.
FUZZ_INPUTS ?= 20000
fuzz: $(STAMP)
	$(BIN)/python tests/fuzz/fuzz_readers.py --inputs $(FUZZ_INPUTS)

# Rebuild the shipped model file from the labelled corpus beside the checkout, ../shared/corpus/*.jsonl
# (or $$FLANKWATCH_TRAINING); the same files give the same bytes.
train: $(STAMP)
	$(BIN)/flankwatch train -o data/model/flankwatch-model.npz

# Re-pin after changing dependencies in pyproject.toml.
lock: $(STAMP)
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^flankwatch' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .bench build *.egg-info
