# The course's commands. Each target creates .venv and installs requirements.txt when needed.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SUBMISSIONS ?= submissions
LINTED := optimlite tests benchmarks exercises _ext tools

.PHONY: book test lab exercises grade strip lint bench large-batch build-times colab-cells \
	preview clean

# Python writes the .pyc of each module it imports the first time it does, so pip need not
# byte-compile all it installs (90 of the install's 145 s: all of torch, most never imported).
# Where PYTHONDONTWRITEBYTECODE is set (as on these machines) it never writes them, and every
# kernel would compile numpy and matplotlib again: make's commands run without it.
# rfc3987-syntax (with lark, which nothing else needs) comes with jsonschema's format-nongpl extra
# that jupyter-events asks for; it checks IRI syntax, which no part of the course validates, and
# importing it compiles 38 Earley grammars: 3 s in every process that imports nbformat (each
# chapter's first glue, each otter assign: 10 of its 13 s).
unexport PYTHONDONTWRITEBYTECODE

$(STAMP): requirements.txt pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --no-compile -r requirements.txt
	$(BIN)/python -m pip uninstall --yes --quiet rfc3987-syntax lark
	touch $(STAMP)

## make book: build the whole book strictly (every notebook executed afresh, one per core at a
## time; any warning or cell error fails) into _build/html
book: $(STAMP) exercises
	$(BIN)/python -m tools.book
	@echo "Open _build/html/index.html"

## make preview: the same strict build, executing only notebooks that changed (all of them when
## optimlite or the pins changed); publish with make book
preview: $(STAMP) exercises
	$(BIN)/python -m tools.book --preview
	@echo "Open _build/html/index.html"

## make test: lint, unit tests, exercises, the strict book build, claims (the build's run against
## git) and determinism (against a second run made during the build), browser tests. Each chapter
## executes exactly twice (tests/notebook_runs.py says why).
test: $(STAMP) exercises
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/python -m pytest -n 2 --dist loadscope tests

## make lab: open the course in JupyterLab (chapters/ and exercises/dist/ in its file browser)
lab: $(STAMP) exercises
	$(BIN)/jupyter lab $(if $(filter 0,$(shell id -u)),--allow-root) --ServerApp.root_dir=. \
		chapters/02_gradient_descent.ipynb

## make exercises: generate student and autograder versions into exercises/dist
exercises: $(STAMP)
	$(BIN)/python -m exercises.build

## make grade SUBMISSIONS=folder [JOBS=n]: grade every submitted notebook there into one CSV,
## n at a time (default: one per core), each in a sandbox that cannot change its grade
grade: exercises
	$(BIN)/python -m exercises.grade $(SUBMISSIONS) $(if $(JOBS),-j $(JOBS))

## make strip: strip notebook outputs except claim cells (tag nbval-check-output + keep_output)
strip: $(STAMP)
	$(BIN)/nbstripout --keep-count chapters/*.ipynb

## make bench: print the speed and latency figures
bench: $(STAMP)
	$(BIN)/python benchmarks/optimizer_step.py
	$(BIN)/python benchmarks/explorer_latency.py
	$(BIN)/python benchmarks/grading_throughput.py

## make large-batch: LAMB on digits in 2 torch.distributed processes (gloo, loopback) vs 1 process
large-batch: $(STAMP)
	$(BIN)/python -m optimlite.data_parallel

## make build-times [RUN=1]: each chapter's execution time and the totals, read from the last
## build and test run (RUN=1: execute every chapter now and time it)
build-times: $(STAMP)
	$(BIN)/python benchmarks/book_build.py $(if $(RUN),--run)

## make colab-cells: insert or update the Colab install cell in every chapter and exercise master
colab-cells: $(STAMP)
	$(BIN)/python -m tools.colab_cell

clean:
	rm -rf _build exercises/dist .pytest_cache
	find . -name __pycache__ -not -path './.venv/*' -prune -exec rm -rf {} +
