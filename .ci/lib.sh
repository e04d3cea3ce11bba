# Shared helpers for the .ci/ scripts (sourced, not run). Bash only.
#
# Data path: none. These scripts set up a machine (system packages, .venv) so that djgen's
# own path (models.py → IR → generator → artifacts → merge → file) can be run and tested.

DJGEN_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$DJGEN_ROOT/.venv"

if [ -t 1 ]; then
    _bold=$'\e[1m' _red=$'\e[31m' _green=$'\e[32m' _reset=$'\e[0m'
else
    _bold='' _red='' _green='' _reset=''
fi

say() { printf '%s==> %s%s\n' "$_bold" "$*" "$_reset"; }
warn() { printf '%swarning:%s %s\n' "$_red" "$_reset" "$*" >&2; }
die() { printf '%serror:%s %s\n' "$_red" "$_reset" "$*" >&2; exit 1; }

# apt_install PKG...: install the Debian packages that are not installed yet (root, or sudo).
apt_install() {
    local missing=() pkg
    for pkg in "$@"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    if ! command -v apt-get >/dev/null 2>&1; then
        warn "not a Debian/Ubuntu machine: install these yourself: ${missing[*]}"
        return 0
    fi
    local sudo=()
    if [ "$(id -u)" != 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to install: ${missing[*]}"
        sudo=(sudo)
    fi
    say "apt-get install ${missing[*]}"
    "${sudo[@]}" apt-get update -q
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends \
        "${missing[@]}"
}

# python_ok PYTHON: true when PYTHON is Python >= 3.10 with a working venv module.
python_ok() {
    "$1" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 10))' >/dev/null 2>&1
}

# ensure_python: a Python >= 3.10 with venv; installs Debian's python3 + python3-venv if needed.
ensure_python() {
    PYTHON="${PYTHON:-python3}"
    if ! python_ok "$PYTHON"; then
        apt_install python3 python3-venv ca-certificates
        PYTHON=python3
        python_ok "$PYTHON" || die "djgen needs Python >= 3.10 with the venv module (set PYTHON=...)"
    fi
}

# ensure_venv: .venv with djgen installed editable, with its test extras. Reinstalls only when
# pyproject.toml changed since the last install (or DJGEN_REINSTALL=1).
ensure_venv() {
    ensure_python
    if [ ! -x "$VENV/bin/python" ]; then
        say "creating .venv with $("$PYTHON" --version 2>&1)"
        "$PYTHON" -m venv "$VENV"
    fi
    local stamp="$VENV/.djgen-installed" want
    want="$(sha256sum "$DJGEN_ROOT/pyproject.toml" | cut -d' ' -f1)"
    if [ "${DJGEN_REINSTALL:-0}" = 1 ] || [ ! -x "$VENV/bin/djgen" ] \
        || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
        say "pip install -e '.[test]' into .venv"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e "$DJGEN_ROOT[test]"
        echo "$want" >"$stamp"
    fi
}
