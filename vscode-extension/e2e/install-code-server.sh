#!/usr/bin/env bash
# Installs code-server (VS Code in the browser, from npm) and the Debian packages the end-to-end
# test needs, into a cache outside the repository; a second run finds the cache and returns at once.
#
# code-server 4.100.3 (VS Code 1.100.3) is the last release that runs on Node 20. Its postinstall
# refuses to run as root and downloads ripgrep from the network, so it is installed with
# --ignore-scripts and its native modules are rebuilt here; ripgrep comes from Debian.
#
# Prints the path of code-server's entry script on its last line.
set -euo pipefail

VERSION="4.100.3"
CACHE="${DJGEN_CI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/djgen-ci}"
PREFIX="$CACHE/code-server-$VERSION"
ENTRY="$PREFIX/node_modules/code-server/out/node/entry.js"
MARKER="$PREFIX/.djgen-ready"

log() { echo "[install-code-server] $*" >&2; }

debian_packages=(build-essential pkg-config libx11-dev libxkbfile-dev libsecret-1-dev libkrb5-dev ripgrep chromium)
missing=()
for pkg in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if ((${#missing[@]})); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages (run as root to install them): ${missing[*]}"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -q >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q -o DPkg::Lock::Timeout=300 "${missing[@]}" >&2
fi

if [[ -f "$MARKER" && -f "$ENTRY" ]]; then
  log "cached: $PREFIX"
  echo "$ENTRY"
  exit 0
fi

log "installing code-server $VERSION into $PREFIX (a few minutes, once)"
rm -rf "$PREFIX"
mkdir -p "$PREFIX"
export npm_config_yes=true npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
# node-gyp builds against the installed Node's headers instead of downloading them.
if [[ -f /usr/include/node/node.h ]]; then
  export npm_config_nodedir=/usr
fi
cd "$PREFIX"
echo '{"name": "djgen-code-server", "private": true}' >package.json
npm install --ignore-scripts --no-save "code-server@$VERSION" >&2
npm rebuild argon2 >&2

cd "$PREFIX/node_modules/code-server/lib/vscode"
npm install --omit=dev --ignore-scripts >&2
npm rebuild node-pty @vscode/spdlog native-watchdog @vscode/deviceid kerberos @parcel/watcher >&2
# What code-server's postinstall.sh would do, minus the ripgrep download.
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --ignore-scripts >&2)

node "$ENTRY" --version >&2
touch "$MARKER"
log "ready: $ENTRY"
echo "$ENTRY"
