# shellcheck shell=bash
# Helpers of the package tests (sourced). Each test prints what it checks; fail() stops it.
# SKIP is the exit status ctest reports as skipped (SKIP_RETURN_CODE in CMakeLists.txt).
SKIP=77

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

# cache_value BUILD NAME: a variable of BUILD's CMakeCache.txt.
cache_value() {
  sed -n "s/^$2:[A-Z]*=//p" "$1/CMakeCache.txt"
}

# expect_line FILE LINE: FILE has exactly this line.
expect_line() {
  grep -qxF -- "$2" "$1" || fail "$1 lacks the line: $2"
}

# expect_unit UNIT PREFIX: the settings the installed unit must have for PREFIX.
expect_unit() {
  local unit=$1 prefix=$2 line
  expect_line "$unit" "ExecStart=$prefix/bin/attendly serve"
  expect_line "$unit" "Environment=ATTENDLY_DATA_DIR=/var/lib/attendly FACE_MODELS_DIR=$prefix/share/attendly/models HOST=0.0.0.0 PORT=5000"
  for line in Type=simple EnvironmentFile=-/etc/attendly/attendly.env DynamicUser=yes \
              StateDirectory=attendly StateDirectoryMode=0700 WorkingDirectory=/var/lib/attendly \
              ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
              NoNewPrivileges=yes ProtectKernelTunables=yes ProtectKernelModules=yes \
              ProtectKernelLogs=yes ProtectControlGroups=yes \
              "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX" RestrictNamespaces=yes \
              LockPersonality=yes SystemCallArchitectures=native CapabilityBoundingSet= \
              Restart=on-failure RestartSec=2s LimitNOFILE=65536 TimeoutStopSec=20s \
              WantedBy=multi-user.target; do
    expect_line "$unit" "$line"
  done
  # oneDNN writes its JIT kernels into executable memory.
  if grep -q '^MemoryDenyWriteExecute=' "$unit"; then
    fail "$unit sets MemoryDenyWriteExecute (breaks the face engine)"
  fi
  if grep -q '@[a-z]*@' "$unit"; then
    fail "$unit has an unsubstituted @variable@"
  fi
}

# expect_models DIR SOURCE_MODELS: DIR holds every manifest and .bin of SOURCE_MODELS,
# identical, and not the demo photos.
expect_models() {
  local dir=$1 src=$2 f n=0
  for f in "$src"/*-weights_manifest.json "$src"/*.bin; do
    [ -f "$f" ] || continue
    cmp -s "$f" "$dir/${f##*/}" || fail "$dir/${f##*/} is missing or differs from $f"
    n=$((n + 1))
  done
  [ "$n" -gt 0 ] || fail "no model weights in $src to compare with"
  [ ! -e "$dir/demo" ] || fail "$dir/demo installed (only the weights belong there)"
  echo "ok: $n model files in $dir"
}

# verify_unit ROOT UNIT: `systemd-analyze verify --root ROOT` of the unit file UNIT (a path
# inside ROOT, so ExecStart's binary is looked up in ROOT too) prints nothing. Returns SKIP,
# saying why, when systemd-analyze is missing or cannot verify even a trivial unit here.
verify_unit() {
  local root=$1 unit=$2 units out probe
  if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "SKIP: systemd-analyze is not installed (Debian package systemd)"
    return "$SKIP"
  fi
  units=/usr/lib/systemd/system
  [ -f "$units/multi-user.target" ] || units=/lib/systemd/system
  if [ ! -f "$units/multi-user.target" ]; then
    echo "SKIP: no systemd targets on this machine to verify the unit against"
    return "$SKIP"
  fi
  # The default dependencies (sysinit.target, ...) must exist inside the root; copies,
  # since systemd rejects links that leave it.
  mkdir -p "$root/etc/systemd/system"
  cp -L "$units"/*.target "$root/etc/systemd/system/"
  probe=$root/etc/systemd/system/attendly-probe.service
  mkdir -p "$root/usr/libexec"
  printf '#!/bin/sh\n' >"$root/usr/libexec/attendly-probe"
  chmod 755 "$root/usr/libexec/attendly-probe"
  printf '[Service]\nExecStart=/usr/libexec/attendly-probe\n' >"$probe"
  if ! out=$(systemd-analyze verify --root="$root" attendly-probe.service 2>&1) || [ -n "$out" ]; then
    echo "SKIP: systemd-analyze verify does not work here; on a trivial unit it said:"
    echo "$out"
    return "$SKIP"
  fi
  rm -f "$probe"
  # Under --root units are found by name in the search path only, which a PREFIX such as
  # /opt/attendly is not part of: verify a copy in /etc/systemd/system.
  cp "$root$unit" "$root/etc/systemd/system/attendly.service"
  out=$(systemd-analyze verify --root="$root" attendly.service 2>&1) ||
    fail "systemd-analyze verify $unit: $out"
  [ -z "$out" ] || fail "systemd-analyze verify $unit warns: $out"
  echo "ok: systemd-analyze verify $unit"
}
