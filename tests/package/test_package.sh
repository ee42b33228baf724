#!/usr/bin/env bash
# The Debian package (make package): built by cpack from BUILD_DIR into a scratch
# directory, then its contents, control fields and Depends, conffile, maintainer scripts
# (run against a scratch DPKG_ROOT), and the extracted binary: `attendly version`, and
# `attendly serve` on the extracted models answering /health 200 on a loopback port.
#   test_package.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=SCRIPTDIR/lib.sh
. "$here/lib.sh"

build=$(cd "$1" && pwd)
src=$2
for tool in cpack dpkg-deb dpkg-shlibdeps curl; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not installed (scripts/deps.sh installs it)"
done
version=$(cache_value "$build" CMAKE_PROJECT_VERSION)
arch=$(dpkg --print-architecture)
tmp=$(mktemp -d)
server=
cleanup() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

(cd "$build" && cpack -G DEB -B "$tmp/out") >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log" >&2; fail "cpack"; }
deb=$tmp/out/attendly_${version}_${arch}.deb
[ -f "$deb" ] || fail "cpack made no $deb: $(ls "$tmp/out")"
echo "ok: built ${deb##*/}"

# Contents: paths with their modes.
dpkg-deb -c "$deb" | awk '{ print $1, $6 }' >"$tmp/contents"
for entry in "-rwxr-xr-x ./usr/bin/attendly" \
             "-rw-r--r-- ./usr/lib/systemd/system/attendly.service" \
             "-rw-r--r-- ./usr/share/attendly/attendly.env.example" \
             "-rw-r----- ./etc/attendly/attendly.env"; do
  expect_line "$tmp/contents" "$entry"
done
dpkg-deb -I "$deb" conffiles >"$tmp/conffiles" || fail "the package has no conffiles"
expect_line "$tmp/conffiles" /etc/attendly/attendly.env
echo "ok: contents and conffile"

# Control fields; Depends as computed by dpkg-shlibdeps from the binary's libraries.
[ "$(dpkg-deb -f "$deb" Package)" = attendly ] || fail "Package: $(dpkg-deb -f "$deb" Package)"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version: $(dpkg-deb -f "$deb" Version), expected $version"
[ "$(dpkg-deb -f "$deb" Architecture)" = "$arch" ] || fail "Architecture: $(dpkg-deb -f "$deb" Architecture)"
depends=$(dpkg-deb -f "$deb" Depends)
echo "Depends: $depends"
for lib in libc6 libmicrohttpd12 libsqlite3-0 libpq5 libdnnl libjansson4 libjwt libsodium23 \
           libjpeg62-turbo libspng0 libwebp7 libwebpdemux2 libexif12 libgomp1; do
  case ", $depends" in
    *", $lib"*) ;;
    *) fail "Depends lacks $lib" ;;
  esac
done
echo "ok: Package, Version, Architecture, Depends"

# The extracted tree.
root=$tmp/root
dpkg -x "$deb" "$root"
expect_unit "$root/usr/lib/systemd/system/attendly.service" /usr
expect_models "$root/usr/share/attendly/models" "$src/models"
out=$("$root/usr/bin/attendly" version) || fail "attendly version exited non-zero"
[ "$out" = "attendly $version" ] || fail "attendly version printed: $out"
echo "ok: $out"

# Maintainer scripts against a scratch root ($DPKG_ROOT), without systemd running there.
dpkg-deb -e "$deb" "$tmp/control"
for s in postinst prerm postrm; do
  sh -n "$tmp/control/$s" || fail "$s: syntax error"
done
sroot=$tmp/sroot
mkdir -p "$sroot/etc/attendly/tls"
touch "$sroot/etc/attendly/attendly.env" "$sroot/etc/attendly/tls/key.pem"
for _ in 1 2; do   # twice: idempotent
  out=$(DPKG_ROOT=$sroot sh "$tmp/control/postinst" configure "") || fail "postinst configure"
done
[ "$(stat -c %a "$sroot/var/lib/attendly")" = 700 ] || fail "postinst: /var/lib/attendly not mode 0700"
case "$out" in *"systemctl enable --now attendly"*) ;; *) fail "postinst prints no hint: $out" ;; esac
touch "$sroot/var/lib/attendly/attendly.db"
DPKG_ROOT=$sroot sh "$tmp/control/prerm" remove || fail "prerm remove"
DPKG_ROOT=$sroot sh "$tmp/control/postrm" remove || fail "postrm remove"
[ -f "$sroot/var/lib/attendly/attendly.db" ] || fail "postrm remove deleted the data"
[ -f "$sroot/etc/attendly/attendly.env" ] || fail "postrm remove deleted the configuration"
DPKG_ROOT=$sroot sh "$tmp/control/postrm" purge || fail "postrm purge"
[ ! -e "$sroot/var/lib/attendly" ] || fail "postrm purge kept /var/lib/attendly"
[ ! -e "$sroot/etc/attendly/attendly.env" ] || fail "postrm purge kept attendly.env"
[ -f "$sroot/etc/attendly/tls/key.pem" ] || fail "postrm purge deleted the admin's TLS files"
echo "ok: maintainer scripts"

# The extracted server on the extracted models, on a free loopback port.
mkdir -p "$tmp/data"
(cd "$tmp/data" && exec env -u DATABASE_URL -u JWT_SECRET_KEY HOST=127.0.0.1 PORT=0 \
   ATTENDLY_DATA_DIR="$tmp/data" FACE_MODELS_DIR="$root/usr/share/attendly/models" \
   "$root/usr/bin/attendly" serve 2>"$tmp/serve.log") &
server=$!
port=
for _ in $(seq 1 200); do
  port=$(sed -n 's/.*msg="listening" .*port=\([0-9]*\).*/\1/p' "$tmp/serve.log" | head -1)
  [ -n "$port" ] && break
  kill -0 "$server" 2>/dev/null || { cat "$tmp/serve.log" >&2; fail "attendly serve exited"; }
  sleep 0.1
done
[ -n "$port" ] || { cat "$tmp/serve.log" >&2; fail "attendly serve did not listen within 20 s"; }
status=$(curl -s -o "$tmp/health" -w '%{http_code}' "http://127.0.0.1:$port/health") || true
[ "$status" = 200 ] || { cat "$tmp/serve.log" "$tmp/health" >&2; fail "/health answered $status"; }
echo "ok: attendly serve from the package answers /health 200 on port $port"

verify_unit "$root" /usr/lib/systemd/system/attendly.service
