# ReviewApp: `make run` opens the app on a demo caseload; `make test` runs the whole suite; `make bench` the
# benchmarks' quick versions. `make bundle` builds the desktop bundle dist/ReviewApp/; `make bundle-test` builds it
# and runs its --self-test.
.PHONY: run test lint demo clean bench bundle bundle-test

run:
	@scripts/run.sh

test:
	@scripts/test.sh

# The quick version of every benchmark (a few minutes); full runs and the results table: benchmarks/README.md.
BENCHMARKS := startup caseload_filter autosave pdf server_load crash_trials sync_pull sync_fault_trials caseload_import mis_import office wizard ui_heartbeat
bench:
	@scripts/venv.sh test
	@scripts/postgres.sh
	@set -e; for name in $(BENCHMARKS); do echo "== $$name"; .venv/bin/python benchmarks/$$name.py --quick; done

lint:
	.venv/bin/python -m ruff check .

bundle:
	@packaging/build.sh

bundle-test:
	@packaging/build.sh --self-test

clean:
	rm -rf .venv .venv-bundle .pytest_cache build dist *.egg-info
