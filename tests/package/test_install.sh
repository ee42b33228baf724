#!/usr/bin/env bash
# The install rules (make install): into a DESTDIR, the binary, the model weights (not the
# demo photos), the example configuration and the systemd unit for the build's prefix;
# nothing under /etc; an install prefix the unit was not configured for is refused; then
# systemd-analyze verify on the installed unit (skipped, saying why, where it cannot run).
#   test_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

build=$1
src=$2
prefix=$(cache_value "$build" CMAKE_INSTALL_PREFIX)
[ -n "$prefix" ] || fail "no CMAKE_INSTALL_PREFIX in $build/CMakeCache.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
root=$tmp/root

DESTDIR=$root cmake --install "$build" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log" >&2; fail "cmake --install $build"; }
echo "ok: installed under DESTDIR with prefix $prefix"

[ -x "$root$prefix/bin/attendly" ] || fail "$prefix/bin/attendly not installed"
expect_models "$root$prefix/share/attendly/models" "$src/models"
example=$root$prefix/share/attendly/attendly.env.example
[ -f "$example" ] || fail "$prefix/share/attendly/attendly.env.example not installed"
# Only comments and blank lines: the example sets nothing by itself.
if grep -qvE '^(#.*)?$' "$example"; then
  fail "$example has uncommented settings: $(grep -vE '^(#.*)?$' "$example" | head -1)"
fi
for var in HOST PORT CORS_ORIGINS TLS_CERT_FILE TLS_KEY_FILE DATABASE_URL JWT_SECRET_KEY \
           ATTENDLY_TIMEZONE METRICS_TOKEN TRUST_PROXY; do
  grep -q "^#$var=" "$example" || fail "$example does not mention $var"
done
[ ! -e "$root/etc" ] || fail "make install wrote under /etc: $(find "$root/etc" | head -3)"
unit=$prefix/lib/systemd/system/attendly.service
[ -f "$root$unit" ] || fail "$unit not installed"
expect_unit "$root$unit" "$prefix"
echo "ok: files, example configuration and unit"

other=$tmp/not-configured
if DESTDIR=$tmp/other cmake --install "$build" --prefix "$other" >"$tmp/other.log" 2>&1; then
  fail "installing under the unconfigured prefix $other succeeded"
fi
grep -q "attendly.service was configured for" "$tmp/other.log" ||
  { cat "$tmp/other.log" >&2; fail "no clear message for an unconfigured prefix"; }
echo "ok: an unconfigured prefix is refused"

verify_unit "$root" "$unit"
