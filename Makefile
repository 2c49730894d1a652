# ReviewApp: `make run` opens the app on a demo caseload; `make test` runs the whole suite; `make bench` the benchmarks.
.PHONY: run test lint demo clean bench

run:
	@scripts/run.sh

test:
	@scripts/test.sh

# The quick version of every benchmark (a few minutes); full runs and the results table: benchmarks/README.md.
BENCHMARKS := startup caseload_filter autosave pdf server_load crash_trials
bench:
	@scripts/venv.sh test
	@scripts/postgres.sh
	@set -e; for name in $(BENCHMARKS); do echo "== $$name"; .venv/bin/python benchmarks/$$name.py --quick; done

lint:
	.venv/bin/python -m ruff check .

clean:
	rm -rf .venv .pytest_cache build *.egg-info
