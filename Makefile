# Every target sets up .venv on first use, so a fresh clone needs only Python 3.11 and pip.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
SEEDS  ?= seeds
OUT    ?= data/processed
# the seed of the development corpus's two halves (docs/evaluation.md)
SPLIT_SEED := 2026

.DEFAULT_GOAL := help
.PHONY: help setup report build figures lab test clean readme-counts readme-scores bench bench-against bench-report

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "}; {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,dask]'
	@touch $(STAMP)

setup: $(STAMP) ## Create .venv and install the project (editable) with its dependencies

report: $(STAMP) ## The main job: tables, every notebook, figures/ and HTML reports in reports/
	$(BIN)/dangjian report $(SEEDS)

build: $(STAMP) ## Build the tables only, into data/processed/
	$(BIN)/dangjian build $(SEEDS) --out $(OUT)

figures: $(STAMP) ## Draw the charts and word clouds from the built tables into figures/
	$(BIN)/dangjian figures $(OUT) --out figures

# Jupyter refuses to run as root unless told; containers often run as root, so say it there only.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u 2>/dev/null)),--allow-root)
LAB_FLAGS ?=

lab: $(STAMP) ## Open JupyterLab on the project (notebooks/ first) with its environment as the kernel (any user, root too)
	$(BIN)/jupyter lab --notebook-dir=. --ServerApp.default_url=/lab/tree/notebooks $(ALLOW_ROOT) $(LAB_FLAGS)

test: $(STAMP) ## Lint (ruff), then run every test
	$(BIN)/ruff check lib tests benchmarks
	$(BIN)/python -m pytest

bench: $(STAMP) ## Measure the build on 10, 50 and 100 MB of replicated seeds: speed vs plain jieba, memory, output size, Dask speed-up (writes the table in docs/speed.md)
	$(BIN)/python benchmarks/bench_build.py --readme docs/speed.md

bench-against: $(STAMP) ## Speed of this tree against an earlier commit, same corpus, same run: make bench-against REV=bf191bf
	$(BIN)/python benchmarks/bench_against.py $(REV)

bench-report: $(STAMP) ## Time the main job on the seeds and on 300 and 2,000 synthetic reports (prints ratios, page sizes, budgets)
	$(BIN)/python benchmarks/bench_report.py --readme docs/notebooks.md

readme-counts: $(STAMP) ## Regenerate the cleaning-counts table in docs/pipeline.md
	$(BIN)/dangjian counts $(SEEDS) --readme docs/pipeline.md

readme-scores: $(STAMP) ## Regenerate the extraction scores in docs/evaluation.md (seeds; the development corpus when ../shared is here)
	$(BIN)/dangjian evaluate $(SEEDS) --gold tests/gold --readme docs/evaluation.md --block seeds > /dev/null
	$(BIN)/dangjian evaluate $(SEEDS) --gold tests/gold --coding --readme README.md > /dev/null
	@if [ -d ../shared/dev-reports ]; then \
		$(BIN)/dangjian evaluate ../shared/dev-reports --exclude 'batch2-*' --readme docs/evaluation.md --block dev > /dev/null && \
		$(BIN)/dangjian evaluate ../shared/dev-reports --include 'batch2-*' --readme docs/evaluation.md --block dev-new > /dev/null && \
		$(BIN)/dangjian evaluate ../shared/dev-reports --split $(SPLIT_SEED) --readme docs/evaluation.md --block dev-all > /dev/null && \
		$(BIN)/dangjian evaluate ../shared/dev-reports --split $(SPLIT_SEED) --summary docs/evaluation.md --readme README.md > /dev/null; fi

clean: ## Remove generated outputs (keeps .venv)
	rm -rf data/processed reports figures/*.png
