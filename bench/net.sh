#!/usr/bin/env bash
# `vault run --net strict` against `--net argv` and against no proxy at all, in one run:
#
#   startup   vault run --net strict -- true   vs  vault run -- true   (median wall ms of
#             $STARTUP_RUNS runs each, interleaved; and vault's own instructions by callgrind)
#   download  curl of $BIG_MB MiB from a 127.0.0.1 server through the proxy
#             (vault run --net strict --allow-host … -- curl)  vs  curl directly  (best of $RUNS, MB/s)
#
# The server is python3 answering every GET with sendfile(2) of a file in the page cache, so
# it is not the bottleneck. MB = 10^6 bytes.
#
#   bench/net.sh [path/to/vault]     (default: target/release/vault, built if missing)
#   BIG_MB=1024 RUNS=3 STARTUP_RUNS=51 bench/net.sh
set -euo pipefail
cd "$(dirname "$0")/.."
vault=${1:-target/release/vault}
if [ ! -x "$vault" ]; then
    cargo build --release --quiet
fi
vault=$(realpath "$vault")
big_mb=${BIG_MB:-1024}
runs=${RUNS:-3}
startup_runs=${STARTUP_RUNS:-51}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vault-net-bench.XXXXXX")
server=
cleanup() {
    if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; fi
    rm -rf "$tmp"
}
trap cleanup EXIT

now() {
    local t=${EPOCHREALTIME/[.,]/}
    ns=$((10#$t * 1000))
}

export VAULT_HOME=$tmp/home
VAULT_IDENTITY=$("$vault" keygen 2>/dev/null | grep '^AGE-SECRET-KEY-')
export VAULT_IDENTITY
"$vault" init >/dev/null 2>&1
printf 'ghp_%s\n' "$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')" |
    "$vault" set TOKEN --allow 127.0.0.1 >/dev/null 2>&1

# --- startup: interleaved, so drift in machine load hits both alike
argv_t=() strict_t=()
for ((i = 0; i < startup_runs; i++)); do
    now; s=$ns; "$vault" run -- true </dev/null >/dev/null 2>&1; now; argv_t+=($(((ns - s) / 10000)))
    now; s=$ns; "$vault" run --net strict -- true </dev/null >/dev/null 2>&1; now; strict_t+=($(((ns - s) / 10000)))
done
median() { printf '%s\n' "$@" | sort -n | awk -v n="$#" 'NR == int((n + 1) / 2) { printf "%.2f", $1 / 100 }'; }
argv_ms=$(median "${argv_t[@]}")
strict_ms=$(median "${strict_t[@]}")

instructions() {
    valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" "$@" </dev/null >/dev/null 2>"$tmp/cg.err" || true
    awk '/^summary:/ { print $2 }' "$tmp/cg.out"
}
if command -v valgrind >/dev/null; then
    argv_ir=$(instructions "$vault" run -- true)
    strict_ir=$(instructions "$vault" run --net strict -- true)
else
    argv_ir=n/a strict_ir=n/a
fi

# --- download
head -c $((big_mb * 1024 * 1024)) /dev/zero >"$tmp/big"
cat "$tmp/big" >/dev/null
python3 - "$tmp/big" >"$tmp/port" <<'EOF' &
import os, socket, sys, threading
path = sys.argv[1]
size = os.path.getsize(path)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
print(s.getsockname()[1], flush=True)
def serve(c):
    with c:
        buf = b""
        while b"\r\n\r\n" not in buf:
            d = c.recv(65536)
            if not d:
                return
            buf += d
        c.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n" % size)
        with open(path, "rb") as f:
            c.sendfile(f)
while True:
    c, _ = s.accept()
    threading.Thread(target=serve, args=(c,), daemon=True).start()
EOF
server=$!
while [ ! -s "$tmp/port" ]; do sleep 0.05; done
port=$(cat "$tmp/port")
url=http://127.0.0.1:$port/big

best_ns() {
    local best=0 i s d
    for ((i = 0; i < runs; i++)); do
        now; s=$ns
        "$@" </dev/null >/dev/null 2>&1
        now; d=$((ns - s))
        if [ "$best" -eq 0 ] || [ "$d" -lt "$best" ]; then best=$d; fi
    done
    echo "$best"
}
direct=$(best_ns curl -sS --noproxy '*' -o /dev/null "$url")
proxied=$(best_ns "$vault" run --net strict --allow-host "127.0.0.1:$port" -- curl -sS -o /dev/null "$url")
bytes=$((big_mb * 1024 * 1024))
mbs() { awk -v b="$bytes" -v t="$1" 'BEGIN { printf "%.0f", b / (t / 1e9) / 1e6 }'; }
direct_mbs=$(mbs "$direct")
proxied_mbs=$(mbs "$proxied")
ratio=$(awk -v a="$proxied_mbs" -v b="$direct_mbs" 'BEGIN { printf "%.0f", 100 * a / b }')

cat <<EOF
| row | vault | baseline | ratio |
|---|---|---|---|
| startup, median of $startup_runs (wall) | \`run --net strict -- true\` $strict_ms ms | \`run -- true\` $argv_ms ms | +$(awk -v a="$strict_ms" -v b="$argv_ms" 'BEGIN { printf "%.2f", a - b }') ms |
| startup, vault's instructions (callgrind) | $strict_ir | $argv_ir | |
| download $big_mb MiB on loopback (best of $runs) | through the proxy $proxied_mbs MB/s | curl direct $direct_mbs MB/s | $ratio % |
EOF
