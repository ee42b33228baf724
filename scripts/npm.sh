#!/usr/bin/env bash
# Installs the Node tooling of tools/apidocs (OpenAPI validator, response-schema checks,
# the Redoc bundle embedded for /api/docs) from its committed lock file with `npm ci`.
# Packages are cached in .cache/npm, so re-runs work offline once fetched.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
dir="$root/tools/apidocs"
cache="$root/.cache/npm"
stamp="$dir/node_modules/.attendly-installed"

if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "npm: node and npm are required to build (the Redoc bundle of /api/docs) and to test" >&2
  echo "npm: install them with scripts/deps.sh (as root) or your package manager" >&2
  exit 1
fi
major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$major" -lt 18 ]; then
  echo "npm: node $(node --version) is too old; tools/apidocs needs node 18 or newer" >&2
  exit 1
fi

want="$(cat "$dir/package-lock.json" "$dir/.npmrc" | sha256sum | cut -d' ' -f1)"
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "npm: installing tools/apidocs"
mkdir -p "$cache"
# Offline first: a re-run with the packages cached needs no network.
if ! (cd "$dir" && npm ci --cache "$cache" --offline --loglevel=error >/dev/null 2>&1); then
  (cd "$dir" && npm ci --cache "$cache" --prefer-offline --loglevel=error)
fi
echo "$want" > "$stamp"
echo "npm: ready in tools/apidocs/node_modules"
