#!/usr/bin/env bash
# The import-linter contracts of pyproject.toml ([tool.importlinter]): layers without cycles.
#   bash .ci/imports.sh
# djgen's packages install under the djgen namespace through setuptools' editable finder, which
# grimp (import-linter's graph) cannot walk; so the check runs on a temporary djgen/ folder of
# symlinks to generators/ and server/, first on PYTHONPATH.
set -euo pipefail
cd "$(dirname "$0")/.."
tree="$(mktemp -d)"
trap 'rm -rf "$tree"' EXIT
mkdir "$tree/djgen"
ln -s "$PWD/generators" "$tree/djgen/generators"
ln -s "$PWD/server" "$tree/djgen/server"
PYTHONPATH="$tree" .venv/bin/lint-imports --config pyproject.toml --no-cache
