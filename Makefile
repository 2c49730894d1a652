# ReviewApp: `make run` opens the app on a demo caseload; `make test` runs the whole suite.
.PHONY: run test lint demo clean

run:
	@scripts/run.sh

test:
	@scripts/test.sh

lint:
	.venv/bin/python -m ruff check .

clean:
	rm -rf .venv .pytest_cache build *.egg-info
