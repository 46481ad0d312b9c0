#!/usr/bin/env bash
# scripts/setup.sh — the one setup of everything the tests use, idempotent. `npm test` runs it first
# (scripts/test.mjs) and `.ci/run` runs it too, so what the README's command needs and what CI
# installs cannot drift.
#
# Owns: the Debian packages the test layers run for real (listed in PACKAGES below: a real redis,
# a real container engine, network namespaces, Chromium...), the pre-seeded @vscode/ripgrep
# download cache (this machine cannot reach GitHub), and a code-server install in a cache folder
# outside the project's node_modules. Every step is skipped when its result is already there, so a
# second run takes about a second.
#
#   scripts/setup.sh            # set up (as root when Debian packages are missing)
#   scripts/setup.sh --list     # print the Debian packages it installs, one per line
#   SKR8TR_E2E_CACHE=/some/dir scripts/setup.sh
#
# Exit codes: 0 ok, 3 Debian packages missing and they cannot be installed here (not root, or no
# apt-get): the message names them; other non-zero: a step failed (see the log).
set -euo pipefail

# The Debian packages, each with what it is for and how to tell it is there (a program on PATH, or
# the package itself when it has no program of its own). Installed without their recommendations,
# except podman's (catatonit for a pod's infra container, netavark and iptables for published ports).
#   package           check                  used by
PACKAGES=(
  "iproute2          cmd:ip                 network namespaces (test/integration/multihost.test.ts)"
  "redis-server      cmd:redis-server       a real database and cache (test/integration/workspace.test.ts)"
  "redis-tools       cmd:redis-cli          the migration job of the workspace test"
  "python3           cmd:python3            a program that binds its own port (placement, workspace tests); code-server's native builds"
  "podman            cmd:podman             a real container engine (test/integration/export-podman.test.ts)"
  "runc              cmd:runc               podman's runtime here (../shared/e2e/podman.md: crun refuses this cgroup layout)"
  "chromium          pkg:chromium           the browser that drives VS Code in the end-to-end tests"
  "libkrb5-dev       pkg:libkrb5-dev        code-server's native kerberos module"
  "ripgrep           cmd:rg                 VS Code's search inside code-server"
  "g++               cmd:g++                code-server's native modules (node-gyp)"
  "make              cmd:make               code-server's native modules (node-gyp)"
)
WITH_RECOMMENDS=(podman)

if [ "${1:-}" = "--list" ]; then
  for row in "${PACKAGES[@]}"; do read -r pkg _ <<<"$row"; echo "$pkg"; done
  exit 0
fi

CODE_SERVER_VERSION=4.99.4
# What @vscode/ripgrep 1.15.11 (the version code-server 4.99.4's bundled VS Code depends on) looks
# for before downloading: lib/postinstall.js VERSION / MULTI_ARCH_LINUX_VERSION and lib/download.js
# cache folder `vscode-ripgrep-cache-<package version>` under os.tmpdir().
RG_PACKAGE_VERSION=1.15.11
RG_VERSION=v13.0.0-10

CACHE="${SKR8TR_E2E_CACHE:-$HOME/.cache/skr8tr-e2e}"
mkdir -p "$CACHE/logs"
LOG="$CACHE/logs/setup-$(date +%Y%m%d-%H%M%S).log"
# Everything below also goes to the log.
exec > >(tee -a "$LOG") 2>&1

START=$SECONDS
step() { printf '\n== %s (t+%ss)\n' "$*" "$((SECONDS - START))"; }

# code-server 4.99.4's postinstall refuses any Node major but 20 (newer releases want 22).
NODE_MAJOR="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$NODE_MAJOR" != 20 ]; then
  echo "ERROR: code-server $CODE_SERVER_VERSION needs Node 20; this is Node $(node -v)" >&2
  exit 1
fi

# ---------------------------------------------------------------------------------------------
step "Debian packages"
missing=()
for row in "${PACKAGES[@]}"; do
  read -r pkg check _ <<<"$row"
  case "$check" in
    cmd:*) command -v "${check#cmd:}" >/dev/null 2>&1 && continue ;;
    pkg:*) dpkg-query -W -f='${Status}' "${check#pkg:}" 2>/dev/null | grep -q 'install ok installed' && continue ;;
  esac
  missing+=("$pkg")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "all present"
elif [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  why=$([ "$(id -u)" -ne 0 ] && echo "not root" || echo "no apt-get")
  {
    echo "ERROR: the tests need these Debian packages, and they cannot be installed here ($why):"
    for row in "${PACKAGES[@]}"; do
      read -r pkg _ used <<<"$row"
      for m in "${missing[@]}"; do [ "$m" = "$pkg" ] && printf '  %-14s %s\n' "$pkg" "$used"; done
    done
    echo "Install them once, then run the tests again:"
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    echo "(or run this script as root: sudo scripts/setup.sh)"
  } >&2
  exit 3
else
  plain=() recommended=()
  for m in "${missing[@]}"; do
    if [[ " ${WITH_RECOMMENDS[*]} " == *" $m "* ]]; then recommended+=("$m"); else plain+=("$m"); fi
  done
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  [ "${#plain[@]}" -eq 0 ] || apt-get install -y -q --no-install-recommends "${plain[@]}"
  [ "${#recommended[@]}" -eq 0 ] || apt-get install -y -q "${recommended[@]}"
fi

# ---------------------------------------------------------------------------------------------
step "ripgrep archive for @vscode/ripgrep $RG_PACKAGE_VERSION"
TMP_DIR="$(node -p 'require("os").tmpdir()')"
case "$(uname -m)" in
  x86_64) RG_TARGET=x86_64-unknown-linux-musl ;;
  aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
  *) echo "ERROR: unsupported architecture $(uname -m)" >&2; exit 1 ;;
esac
RG_CACHE_DIR="$TMP_DIR/vscode-ripgrep-cache-$RG_PACKAGE_VERSION"
RG_ARCHIVE="$RG_CACHE_DIR/ripgrep-$RG_VERSION-$RG_TARGET.tar.gz"
if [ -s "$RG_ARCHIVE" ] && tar -tzf "$RG_ARCHIVE" | grep -qx 'rg'; then
  echo "present: $RG_ARCHIVE"
else
  RG_BIN="$(command -v rg || true)"
  [ -n "$RG_BIN" ] || { echo "ERROR: rg not found (Debian package ripgrep)" >&2; exit 1; }
  mkdir -p "$RG_CACHE_DIR"
  staging="$(mktemp -d)"
  cp "$RG_BIN" "$staging/rg"
  tar -czf "$RG_ARCHIVE.tmp" -C "$staging" rg
  mv "$RG_ARCHIVE.tmp" "$RG_ARCHIVE"
  rm -rf "$staging"
  echo "wrote: $RG_ARCHIVE (from $RG_BIN)"
fi

# ---------------------------------------------------------------------------------------------
step "code-server $CODE_SERVER_VERSION in $CACHE"
CODE_SERVER="$CACHE/node_modules/.bin/code-server"
# `code-server --version` first writes a default config (with a password) to $XDG_CONFIG_HOME and
# logs to $XDG_DATA_HOME, and prints a log line before the version: confine both to the cache and
# keep only the line that starts with a version number.
code_server_version() {
  [ -x "$CODE_SERVER" ] || return 0
  XDG_CONFIG_HOME="$CACHE/xdg-config" XDG_DATA_HOME="$CACHE/xdg-data" "$CODE_SERVER" --version 2>/dev/null \
    | grep -m1 -E '^[0-9]+\.[0-9]+\.[0-9]+ ' || true
}
installed="$(code_server_version)"
if [[ "$installed" == "$CODE_SERVER_VERSION "* ]]; then
  echo "already installed: $installed"
else
  # A package.json of its own keeps npm from walking up to an enclosing project.
  [ -f "$CACHE/package.json" ] || echo '{"name":"skr8tr-e2e-cache","private":true}' > "$CACHE/package.json"
  npm_config_yes=true npm install --prefix "$CACHE" "code-server@$CODE_SERVER_VERSION" \
    --unsafe-perm --foreground-scripts --no-audit --no-fund
  installed="$(code_server_version)"
  if [[ "$installed" != "$CODE_SERVER_VERSION "* ]]; then
    echo "ERROR: code-server --version printed '$installed', expected $CODE_SERVER_VERSION" >&2
    exit 1
  fi
  echo "installed: $installed"
fi

# The bundled VS Code must have found a working rg (its search breaks silently otherwise).
RG_IN_VSCODE="$(find "$CACHE/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin" -name rg 2>/dev/null | head -n1 || true)"
if [ -z "$RG_IN_VSCODE" ] || ! "$RG_IN_VSCODE" --version >/dev/null 2>&1; then
  echo "WARNING: no working rg under code-server's @vscode/ripgrep (workspace search will not work)"
fi

# ---------------------------------------------------------------------------------------------
step "done in $((SECONDS - START))s"
CHROMIUM="$(command -v chromium || true)"
cat <<EOF
SKR8TR_E2E_CACHE=$CACHE
CODE_SERVER=$CODE_SERVER   ($installed)
CHROMIUM=$CHROMIUM   ($("$CHROMIUM" --version 2>/dev/null || echo '?'))
RIPGREP_ARCHIVE=$RG_ARCHIVE
RG_IN_VSCODE=${RG_IN_VSCODE:-none}
LOG=$LOG
EOF
