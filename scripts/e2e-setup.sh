#!/usr/bin/env bash
# scripts/e2e-setup.sh — idempotent setup of the end-to-end (real VS Code) test environment.
#
# Owns: the Debian packages the e2e tests need (chromium, libkrb5-dev, ripgrep), the pre-seeded
# @vscode/ripgrep download cache (this machine cannot reach GitHub), and a code-server install in a
# cache folder outside the project's node_modules. Safe to run again: every step is skipped when its
# result is already there.
#
#   scripts/e2e-setup.sh            # set up (as root when Debian packages are missing)
#   SKR8TR_E2E_CACHE=/some/dir scripts/e2e-setup.sh
#
# Exit codes: 0 ok, 3 Debian packages missing and not root, other non-zero: a step failed (see log).
set -euo pipefail

CODE_SERVER_VERSION=4.99.4
# What @vscode/ripgrep 1.15.11 (the version code-server 4.99.4's bundled VS Code depends on) looks
# for before downloading: lib/postinstall.js VERSION / MULTI_ARCH_LINUX_VERSION and lib/download.js
# cache folder `vscode-ripgrep-cache-<package version>` under os.tmpdir().
RG_PACKAGE_VERSION=1.15.11
RG_VERSION=v13.0.0-10
APT_PACKAGES=(chromium libkrb5-dev ripgrep)

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
step "Debian packages: ${APT_PACKAGES[*]}"
missing=()
for p in "${APT_PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
# code-server's native modules (argon2, node-pty, kerberos, spdlog...) are compiled with node-gyp:
# their prebuilt binaries come from GitHub, which is out of reach here. (Tool = Debian package.)
for tool in g++ make python3; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "all present, skipping apt"
elif [ "$(id -u)" -ne 0 ]; then
  echo "ERROR: missing Debian packages: ${missing[*]}" >&2
  echo "Run this script as root once, or: sudo apt-get update && sudo apt-get install -y ${missing[*]}" >&2
  exit 3
else
  echo "installing: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${missing[@]}"
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
