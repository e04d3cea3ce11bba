#!/usr/bin/env bash
# CI for the VS Code extension (vscode-extension/), run after .ci/run has set up .venv:
#   bash .ci/vscode.sh
# 1. npm ci                       (vscode-languageclient 9, esbuild, @vscode/vsce 3.9, playwright-core)
# 2. npm test                     unit tests of the extension's own logic (node:test, no VS Code)
# 3. npm run package              typecheck, esbuild bundle, djgen wheel, dist/djgen.vsix
# 4. npm run e2e                  the .vsix in a real VS Code (code-server 4.100.3, installed once
#                                 into ~/.cache/djgen-ci with its Debian packages) driven by
#                                 playwright-core + Debian's chromium; screenshots are printed
# Stops at the first failing step.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
python="${DJGEN_PYTHON:-$repo/.venv/bin/python}"

step() { echo; echo "==> vscode: $*"; }

if ! "$python" -c "import djgen.server" 2>/dev/null; then
    echo "vscode: $python cannot import djgen.server; run .ci/run (or create .venv with djgen) first" >&2
    exit 1
fi
if ! command -v npm >/dev/null; then
    echo "vscode: npm (Node 20) is required" >&2
    exit 1
fi

cd vscode-extension
step "npm ci"
npm ci --no-audit --no-fund --loglevel=error

step "unit tests (npm test)"
npm test

step "package the .vsix (npm run package)"
DJGEN_PYTHON="$python" npm run --silent package
ls -l dist/djgen.vsix

step "code-server (cached after the first run)"
entry="$(bash e2e/install-code-server.sh | tail -n 1)"

step "end-to-end test in code-server (npm run e2e)"
shots="$PWD/out/e2e-screenshots"
rm -rf "$shots"
DJGEN_CODE_SERVER="$entry" DJGEN_PYTHON="$python" DJGEN_E2E_SCREENSHOTS="$shots" npm run --silent e2e
echo "vscode: end-to-end screenshots are in $shots"
