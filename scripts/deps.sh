#!/usr/bin/env bash
# Installs the Debian packages the build and the tests need, when any is missing.
# Safe to run repeatedly: it does nothing when everything is present.
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config clang libclang-rt-14-dev
  libmicrohttpd-dev libgnutls28-dev libjansson-dev libjwt-dev libsodium-dev
  libsqlite3-dev libpq-dev postgresql libarchive-dev
  libturbojpeg0-dev libjpeg-dev libspng-dev libwebp-dev libexif-dev
  libdnnl-dev libcmocka-dev libcurl4-gnutls-dev
  ca-certificates wrk nginx
  dpkg-dev curl
)
# Node.js and npm fetch the model package and the tooling of tools/apidocs (OpenAPI checks,
# the Redoc bundle of /api/docs). They are judged by command, not by package,
# because a machine may carry another distribution's nodejs (which bundles npm and
# conflicts with Debian's npm package).
command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "deps: missing Debian packages: ${missing[*]}" >&2
  echo "deps: run as root (or install them with apt-get) and retry" >&2
  exit 1
fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
