#!/usr/bin/env bash
# HTTPS download on loopback, all in one run: curl direct vs through `vault run --net strict`
# (CONNECT, TLS passed through) vs through `vault run --net broker` (TLS terminated by the
# per-run CA, re-encrypted towards the host, the body scanned for one brokered value).
# The server is `openssl s_server -WWW` with a test CA; MB = 10^6 bytes; best of $RUNS.
#
#   bench/broker.sh [path/to/vault]      (default: target/release/vault)
#   SIZE_MB=256 RUNS=3 bench/broker.sh
set -euo pipefail
cd "$(dirname "$0")/.."
vault=$(realpath "${1:-target/release/vault}")
size_mb=${SIZE_MB:-256}
runs=${RUNS:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vault-bench-broker.XXXXXX")
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
cd "$tmp"

ec=(-newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes)
openssl req -x509 "${ec[@]}" -keyout ca.key -out ca.pem -days 1 -subj "/CN=bench CA" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign 2>/dev/null
openssl req "${ec[@]}" -keyout key.pem -out leaf.csr -subj /CN=localhost 2>/dev/null
printf 'subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' >ext.cnf
openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out cert.pem -days 1 \
    -extfile ext.cnf 2>/dev/null
head -c "$((size_mb * 1000000))" /dev/urandom >big.bin
port=$((20000 + RANDOM % 20000))
openssl s_server -quiet -accept "127.0.0.1:$port" -cert cert.pem -key key.pem -WWW >/dev/null 2>&1 &
server=$!
sleep 0.5

export VAULT_HOME="$tmp/home"
VAULT_IDENTITY=$("$vault" keygen 2>/dev/null | grep '^AGE-SECRET-KEY-')
export VAULT_IDENTITY
"$vault" init >/dev/null 2>&1
printf 'ghp_0123456789abcdefghijABCDEFGHIJ012345\n' |
    "$vault" set TOKEN --allow "localhost:$port" >/dev/null 2>&1

url="https://localhost:$port/big.bin"
best() { # best MB/s of $runs runs of "$@", which prints curl's speed_download (bytes/s)
    local b=0 s
    for _ in $(seq "$runs"); do
        s=$("$@" </dev/null)
        s=${s%%.*}
        [ "$s" -gt "$b" ] && b=$s
    done
    echo $((b / 1000000))
}
fmt='%{speed_download}'
direct=$(best curl -sS --cacert ca.pem -o /dev/null -w "$fmt" "$url")
strict=$(best "$vault" run --no-pty --net strict --only TOKEN -- \
    curl -sS --cacert ca.pem -o /dev/null -w "$fmt" "$url")
broker=$(best "$vault" run --no-pty --net broker --only TOKEN --net-ca ca.pem -- \
    curl -sS -o /dev/null -w "$fmt" "$url")
echo "| HTTPS download, ${size_mb} MB, loopback | MB/s | vs direct |"
echo "|---|---:|---:|"
echo "| curl direct | $direct | 100 % |"
echo "| vault run --net strict (TLS passed through) | $strict | $((strict * 100 / direct)) % |"
echo "| vault run --net broker (TLS terminated, 1 brokered value) | $broker | $((broker * 100 / direct)) % |"
