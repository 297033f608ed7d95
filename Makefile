# Game Theory & Machine Learning -- the two commands are `make book` and `make test`.
# Each sets up .venv from requirements.txt (and gtml_utils, editable) when missing.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BOOK_FLAGS := -W -n --keep-going
export JAX_PLATFORMS := cpu
export PYDEVD_DISABLE_FILE_VALIDATION := 1

# Each test step prints its wall time, so slow steps are visible in CI logs.
define step
	@echo "==> $(1)"; start=$$SECONDS; $(2); status=$$?; \
	echo "<== $(1): $$((SECONDS - start)) s"; exit $$status
endef

.PHONY: book test lint unit nbval browser student bench clean freeze

$(STAMP): requirements.txt pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "need $(PYTHON) on PATH (or PYTHON=...)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $(STAMP)

# The execution cache is keyed on a notebook's code only: when gtml_utils changed since
# the last build (or no build recorded it), cached outputs may be stale, so the cache and
# Sphinx's saved doctrees (which skip re-reading an unchanged notebook) are cleared.
# Notebooks are executed two at a time into that cache first; the build then only reads them.
CACHE_STAMP := _build/.executed_with_gtml_utils
book: $(STAMP)
	@if [ ! -e $(CACHE_STAMP) ] || [ -n "$$(find gtml_utils -name '*.py' -newer $(CACHE_STAMP))" ]; then \
	  rm -rf _build/.jupyter_cache _build/.doctrees; fi
	$(call step,notebooks executed in parallel into the cache,$(BIN)/python scripts/execute_notebooks.py --jobs 2)
	$(call step,book build,$(BIN)/jupyter-book build . $(BOOK_FLAGS))
	@touch $(CACHE_STAMP)

test: $(STAMP)
	@total=$$SECONDS; $(MAKE) --no-print-directory lint unit nbval book browser \
	  && echo "make test: all steps passed in $$((SECONDS - total)) s"

lint: $(STAMP)
	$(call step,ruff,$(BIN)/ruff check gtml_utils tests benchmarks scripts chapters)

unit: $(STAMP)
	$(call step,pytest (unit + doctests + property + hygiene),$(BIN)/pytest -m "not browser" -n 2 -q)

nbval: $(STAMP)
	$(call step,nbval,$(BIN)/pytest -o addopts="-p no:cacheprovider" --nbval-lax -n 2 --dist loadfile -q chapters)

browser: $(STAMP)
	$(call step,browser check of _build/html,GTML_REQUIRE_BOOK=1 $(BIN)/pytest -m browser -q tests/test_browser.py)

# The book without solutions, for handing out (see scripts/student_edition.py).
student: $(STAMP)
	$(BIN)/python scripts/student_edition.py _build/student_src
	$(BIN)/jupyter-book build _build/student_src $(BOOK_FLAGS)
	rm -rf _build/student && mv _build/student_src/_build/html _build/student
	@echo "student edition: _build/student/index.html"

bench: $(STAMP)
	@for b in benchmarks/bench_*.py; do echo "==> $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf _build .pytest_cache .hypothesis
	find . -name __pycache__ -not -path "./$(VENV)/*" -prune -exec rm -rf {} +

# Re-pin requirements.txt from the current environment (after adding a package).
freeze: $(STAMP)
	{ sed -n '1,2p' requirements.txt; $(BIN)/pip freeze --exclude-editable | grep -v '^-e'; echo '-e .'; } > requirements.tmp
	mv requirements.tmp requirements.txt
