# Every target sets up what it needs itself: a venv for Python packages,
# Debian packages (Tesseract, MediaWiki, Chromium) through scripts/setup-system.sh.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BATCH  ?= build/demo

.PHONY: setup venv system demo test test-all bench wiki-up wiki-down clean

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[test,samples]'
	touch $@

system:
	bash scripts/setup-system.sh

setup: venv system

# The main job on the bundled sample volume, as a dry run: build, then the preview.
demo: setup
	$(PY) -m importer build samples/kk-sample --profile kk-encyclopedia --out $(BATCH)
	$(PY) -m importer preview $(BATCH)

test: setup
	bash scripts/run-tests.sh

# Everything, including the slow tests (full OCR of the sample pages).
test-all: setup
	$(PY) -m pytest -m '' -q

bench: setup
	$(PY) bench/bench_readers.py

# A throw-away local MediaWiki (kk, SQLite, php -S on 127.0.0.1) to rehearse a batch on.
WIKI_DIR ?= build/wiki
wiki-up: system
	python3 scripts/localwiki.py up --dir $(WIKI_DIR)

wiki-down:
	python3 scripts/localwiki.py down --dir $(WIKI_DIR)

clean:
	rm -rf build .pytest_cache
