#!/usr/bin/env bash
# The whole check, from a fresh clone: install what the tests need, then lint, format,
# types, import contracts and the test suite. README.md and .ci/run call exactly this.
set -euo pipefail
cd "$(dirname "$0")/.."

bash packaging/system-deps.sh --test   # Qt's system libraries and Xvfb, when missing
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[test]'

echo "== ruff (lint)";            .venv/bin/ruff check .
echo "== ruff (format)";          .venv/bin/ruff format --check .
echo "== mypy (strict)";          .venv/bin/mypy
echo "== import contracts";       .venv/bin/lint-imports
echo "== pytest";                 .venv/bin/python -m pytest "$@"
