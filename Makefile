# `make run` and `make test` do all set-up themselves (idempotent), then run or test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export GRADIO_ANALYTICS_ENABLED := False
export HF_HUB_DISABLE_TELEMETRY := 1

.PHONY: run test test-core bench bench-load checkpoint lint browser-deps clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# torch first: a bare `torch>=2.2` in a fresh venv would pull a multi-GB CUDA build
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	touch $(STAMP)

# Chromium and a CJK font for browser tests and Chinese screenshots (Debian packages, as root)
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi 'wqy\|noto.*cjk'; then \
		if [ "$$(id -u)" = 0 ]; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
		else \
			echo "browser tests need /usr/bin/chromium and fonts-wqy-microhei: sudo apt-get install chromium fonts-wqy-microhei"; \
		fi; \
	fi

# extra options go in ARGS, e.g. make run ARGS="--pretrained ~/clip-vit-base-patch32"
run: $(STAMP)
	$(BIN)/python app.py $(ARGS)

# Unit, lesson and API tests in two pytest-xdist workers (1 torch thread each); the browser tests one
# at a time: several of them time trainings and slots, which a second worker's load would distort.
test: $(STAMP) browser-deps
	HF_HUB_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 $(BIN)/python -m pytest -q -n 2 --dist worksteal --durations=10 \
		tests/core tests/lessons tests/app
	HF_HUB_OFFLINE=1 HF_HUB_DISABLE_PROGRESS_BARS=1 $(BIN)/python -m pytest -q --durations=15 tests/browser

test-core: $(STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python -m pytest -q -m "not slow" tests/core

bench: $(STAMP)
	$(BIN)/python bench/train.py
	$(BIN)/python bench/streaming.py
	$(BIN)/python bench/ui_latency.py
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/pretrained.py

# 20 simulated learners and 4 trainings for 2 minutes against a loopback server (issue 7)
bench-load: $(STAMP)
	$(BIN)/python bench/load.py

# Re-create the shipped checkpoint with the project's own training command (seed recorded in it)
# every shipped checkpoint, re-created with the project's own trainer
checkpoint: $(STAMP)
	$(BIN)/python -m clip_core.train --preset default --out assets/toy_clip
	$(BIN)/python -m clip_core.train --preset default --captions mixed --out assets/toy_clip_bilingual
	$(BIN)/python -m clip_core.train --preset relations --out assets/toy_clip_relations
	$(BIN)/python -m clip_core.train --preset relations --hard-negatives --out assets/toy_clip_relations_negclip

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
