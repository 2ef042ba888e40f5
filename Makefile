# The two commands that matter: `make run` and `make test`. Both set up the venv on first use.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format bench demo clean install

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/digestbot run

demo: $(STAMP)
	$(BIN)/digestbot demo

# Most tests wait on sockets, subprocesses and fakes, not the CPU: more workers than cores pay.
TEST_WORKERS ?= 4

# Bytecode is written even where PYTHONDONTWRITEBYTECODE is set (into the git-ignored
# __pycache__/): otherwise each worker recompiles and re-rewrites every test module, and every
# `digestbot` subprocess the tests start recompiles the app.
test: $(STAMP)
	env -u PYTHONDONTWRITEBYTECODE $(BIN)/python -m pytest -q -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy domain core bot jobs storage cli

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: $(STAMP)
	$(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
