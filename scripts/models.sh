#!/usr/bin/env bash
# Fetches the face model weights (and the demo group photos used by tests) from the
# npm package @vladmandic/face-api, checks the tarball's sha256, and unpacks them.
# Offline re-runs reuse the cached tarball.
set -euo pipefail

PKG="@vladmandic/face-api@1.7.15"
SHA256="0d77fffeef362ef9c0939cf6c567f3a2e8e177f114fa257a3270cbd2e509b031"
TARBALL="vladmandic-face-api-1.7.15.tgz"

root="$(cd "$(dirname "$0")/.." && pwd)"
cache="$root/.cache"
dest="${1:-$root/models}"

if [ -f "$dest/.complete" ] && [ "$(cat "$dest/.complete")" = "$SHA256" ]; then
  exit 0
fi
mkdir -p "$cache"
if [ ! -f "$cache/$TARBALL" ] || ! echo "$SHA256  $cache/$TARBALL" | sha256sum -c --status; then
  echo "models: fetching $PKG"
  (cd "$cache" && npm pack --silent "$PKG" >/dev/null)
fi
if ! echo "$SHA256  $cache/$TARBALL" | sha256sum -c --status; then
  echo "models: checksum mismatch for $TARBALL" >&2
  rm -f "$cache/$TARBALL"
  exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
tar -xzf "$cache/$TARBALL" -C "$tmp" package/model package/demo
mkdir -p "$dest/demo"
for m in ssd_mobilenetv1_model tiny_face_detector_model face_landmark_68_model \
         face_landmark_68_tiny_model face_recognition_model; do
  cp "$tmp/package/model/$m-weights_manifest.json" "$tmp/package/model/$m.bin" "$dest/"
done
cp "$tmp"/package/demo/sample*.jpg "$dest/demo/"
echo "$SHA256" > "$dest/.complete"
echo "models: ready in $dest"
