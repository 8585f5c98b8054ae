# Every target sets up what it needs itself: a venv for Python packages,
# Debian packages (Tesseract, MediaWiki, Chromium) through scripts/setup-system.sh.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
BATCH  ?= build/demo

.PHONY: setup venv system demo test test-all bench long-run wiki-up wiki-down clean

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

# The benchmarks (about 30 minutes): figures as ratios, side by side in one run, collected
# into bench/results.md. The synthetic ten-volume corpus is made once into build/corpus.
FIGURES := build/bench
bench: setup
	mkdir -p $(FIGURES)
	$(PY) bench/make_corpus.py --out build/corpus
	$(PY) bench/bench_build.py --corpus build/corpus --json $(FIGURES)/build.json
	$(PY) bench/bench_readers.py --json $(FIGURES)/readers.json
	$(PY) bench/bench_upload.py --json $(FIGURES)/upload.json
	$(PY) bench/bench_ocr.py --json $(FIGURES)/ocr.json
	$(PY) bench/report.py --figures $(FIGURES)

# One long batch end to end (about an hour): build all ten volumes, preview them, upload
# one volume (about 5,000 articles) to a fresh local wiki, killed and resumed twice, verify.
long-run: setup
	mkdir -p $(FIGURES)
	$(PY) bench/long_run.py --corpus build/corpus --out build/long --json $(FIGURES)/long_run.json
	$(PY) bench/report.py --figures $(FIGURES)

# A throw-away local MediaWiki (kk, SQLite, php -S on 127.0.0.1) to rehearse a batch on.
WIKI_DIR ?= build/wiki
wiki-up: system
	python3 scripts/localwiki.py up --dir $(WIKI_DIR)

wiki-down:
	python3 scripts/localwiki.py down --dir $(WIKI_DIR)

clean:
	rm -rf build .pytest_cache
