# ReviewApp: `make run` opens the app on a demo caseload; `make test` runs the whole suite.
# `make bundle` builds the desktop bundle dist/ReviewApp/; `make bundle-test` builds it and runs its --self-test.
.PHONY: run test lint demo clean bundle bundle-test

run:
	@scripts/run.sh

test:
	@scripts/test.sh

lint:
	.venv/bin/python -m ruff check .

bundle:
	@packaging/build.sh

bundle-test:
	@packaging/build.sh --self-test

clean:
	rm -rf .venv .venv-bundle .pytest_cache build dist *.egg-info
