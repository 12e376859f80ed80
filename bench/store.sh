#!/usr/bin/env bash
# Median wall time of `vault set` and `vault list` with 10 and 10,000 secrets, beside the
# cost of starting a process at all (`true`), measured in the same run.
#
#   bench/store.sh [path/to/vault]      (default: target/release/vault, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
vault=${1:-target/release/vault}
if [ ! -x "$vault" ]; then
    cargo build --release --quiet
fi
runs=${RUNS:-21}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# median of $runs timings (ms, 2 decimals) of the command in "$@"
median_ms() {
    local times=() i start end
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 </dev/null || true
        end=$(date +%s%N)
        times+=($(((end - start) / 10000)))
    done
    printf '%s\n' "${times[@]}" | sort -n | awk -v n="$runs" 'NR == int((n + 1) / 2) { printf "%.2f", $1 / 100 }'
}

set_one() { # home, name
    printf 'bench-value-%s-0123456789\n' "$2" | VAULT_HOME="$1" "$vault" set "$2" --replace >/dev/null 2>&1
}

VAULT_IDENTITY=$("$vault" keygen 2>/dev/null)
export VAULT_IDENTITY
printf '%-28s %10s\n' "command" "median ms"
printf '%-28s %10s\n' "true (process baseline)" "$(median_ms true)"
for n in 10 10000; do
    home="$tmp/h$n"
    VAULT_HOME="$home" "$vault" init >/dev/null 2>&1
    for ((i = 0; i < n; i++)); do printf 'S%05d=value-%05d-abcdefghijklmnop\n' "$i" "$i"; done >"$tmp/env$n"
    VAULT_HOME="$home" "$vault" import "$tmp/env$n" >/dev/null 2>&1
    set_one "$home" S00000
    printf '%-28s %10s\n' "vault list ($n secrets)" "$(median_ms env VAULT_HOME="$home" "$vault" list)"
    printf '%-28s %10s\n' "vault set ($n secrets)" "$(median_ms set_one "$home" S00001)"
done
