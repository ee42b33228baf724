#!/usr/bin/env bash
# The layers of the source tree point one way (README, "Development"):
#   cli/, main.c -> http/, api/ ; api/ -> store/, face/, http/request+router+server ;
#   http/, store/, face/ know nothing of each other or of api/ ; core/ is used by all.
# Fails, naming the file and the include, when an #include crosses a layer the wrong way.
set -u
src="${1:?usage: check_layers.sh SRC_DIR}"
status=0
forbid() { # forbid DIR PATTERN WHY
  local hits
  hits=$(grep -rnE "^#include \"($2)/" "$src/$1" --include='*.c' --include='*.h' || true)
  if [ -n "$hits" ]; then
    echo "layering: $1/ must not include $2/ ($3):"
    echo "$hits"
    status=1
  fi
}
forbid core  'http|api|store|face|cli' 'core is the bottom layer'
forbid http  'api|store|face|cli'      'the server knows no resource; the command line hands it the routes'
forbid store 'http|api|face|cli'       'SQL lives below the API'
forbid face  'http|api|store|cli'      'the engine knows nothing of HTTP or SQL'
forbid api   'cli'                     'the command line wires the API, not the reverse'
[ $status -eq 0 ] && echo "layering: ok"
exit $status
