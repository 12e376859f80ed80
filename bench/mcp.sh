#!/usr/bin/env bash
# vault mcp start-up and per-call overhead beside a plain `vault run` (issue #12).
# Usage: bench/mcp.sh [path/to/vault]   (default target/release/vault). N=50 by default.
set -euo pipefail
vault="$(realpath "${1:-target/release/vault}")"
n="${N:-50}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
export VAULT_HOME="$tmp/home"
"$vault" keygen -o "$tmp/id" 2>/dev/null
export VAULT_IDENTITY_FILE="$tmp/id"
"$vault" init >/dev/null 2>&1
for i in $(seq 1 10); do printf 'bench-value-%02d-abcdef' "$i" | "$vault" set "S$i" --allow 127.0.0.1 2>/dev/null; done

ms() { # command... -> milliseconds per iteration over $n iterations
    local start end
    start=$(date +%s%N)
    for _ in $(seq 1 "$n"); do "$@" >/dev/null 2>&1; done
    end=$(date +%s%N)
    echo $(((end - start) / n / 1000))
}
init='{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}'
start_mcp() { printf '%s\n' "$init" | "$vault" mcp; }
calls() {
    printf '%s\n' "$init"
    for i in $(seq 1 "$n"); do
        printf '{"jsonrpc":"2.0","id":%d,"method":"tools/call","params":{"name":"run","arguments":{"argv":["true"]}}}\n' "$i"
    done
}
calls >"$tmp/calls.jsonl"
one_session() { "$vault" mcp <"$tmp/calls.jsonl"; }

echo "vault --help:                 $(ms "$vault" --help) us"
echo "vault run -- true:            $(ms "$vault" run -- true) us"
echo "vault mcp start (initialize): $(ms start_mcp) us"
start=$(date +%s%N); one_session >/dev/null 2>&1; end=$(date +%s%N)
echo "mcp run tool (true), per call: $(((end - start) / n / 1000)) us (one session, $n calls)"
