#!/usr/bin/env bash
# Runs the test suite in the project's venv. pytest exits 5 when it collects
# no test: that is a failure of the suite's setup here, never a pass.
set -uo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python -m pytest -q -rs "$@"
rc=$?
if [[ $rc -eq 5 ]]; then
  echo "run-tests: pytest collected no tests" >&2
  exit 1
fi
exit $rc
