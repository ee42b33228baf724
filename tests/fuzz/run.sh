#!/usr/bin/env bash
# Builds and runs every libFuzzer target of a fuzz build for a bounded time.
#   bash tests/fuzz/run.sh BUILD_DIR        (FUZZ_SECONDS per target, default 60)
# Targets missing from the build are skipped. Corpora persist in fuzz-out/NAME/corpus,
# crashes land in fuzz-out/NAME/crashes; the script fails when any target finds one.
set -euo pipefail

build="${1:?usage: run.sh BUILD_DIR}"
seconds="${FUZZ_SECONDS:-60}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="${FUZZ_OUT:-$root/fuzz-out}"
jobs="${JOBS:-2}"

targets=$(cmake --build "$build" --target help | sed -n 's/^\.\.\. \(fuzz-[a-z0-9-]*\).*/\1/p' | grep -v -- '-seeds$' || true)
status=0
for t in fuzz-image fuzz-weights; do
  if ! grep -qx "$t" <<<"$targets"; then
    echo "fuzz: $t is not part of this build, skipped"
    continue
  fi
  cmake --build "$build" -j "$jobs" --target "$t"
  bin=$(find "$build" -type f -name "$t" -perm -u+x | head -n1)
  corpus="$out/$t/corpus"
  crashes="$out/$t/crashes"
  mkdir -p "$corpus" "$crashes"
  if grep -qx "$t-seeds" < <(cmake --build "$build" --target help | sed -n 's/^\.\.\. \([^ ]*\).*/\1/p'); then
    cmake --build "$build" -j "$jobs" --target "$t-seeds"
    "$(find "$build" -type f -name "$t-seeds" -perm -u+x | head -n1)" "$corpus"
  fi
  echo "fuzz: running $t for ${seconds}s"
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$crashes/" "$corpus"; then
    echo "fuzz: $t found a problem, see $crashes" >&2
    status=1
  fi
done
exit $status
