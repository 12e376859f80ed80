#!/usr/bin/env bash
# Throughput of `vault scan` on a generated tree, beside `grep -rcF -f values` (the raw
# values only, one thread) on the same files in the same run. The page cache is warmed
# first; each tool runs RUNS times (default 3) and the best time counts.
#
#   bench/scan.sh [MB] [FILES] [path/to/vault]   (default: 500 MB in 2000 files;
#                                                 target/release/vault, built if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
mb=${1:-500}
files=${2:-2000}
vault=${3:-target/release/vault}
if [ ! -x "$vault" ]; then
    cargo build --release --quiet
fi
vault=$(cd "$(dirname "$vault")" && pwd)/$(basename "$vault")
runs=${RUNS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

export VAULT_HOME="$tmp/home"
VAULT_IDENTITY=$("$vault" keygen 2>/dev/null | grep '^AGE-SECRET-KEY-')
export VAULT_IDENTITY
"$vault" init >/dev/null 2>&1

# 20 secrets; their raw values are grep's pattern file.
for i in $(seq 0 19); do
    value="bench-value-$i-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
    printf '%s\n' "$value" >>"$tmp/values"
    printf '%s' "$value" | "$vault" set "BENCH_$i" >/dev/null 2>&1
done

# base64 text in 76-column lines, split into $files files over 20 directories; a few
# values planted (raw, and one base64-encoded).
mkdir -p "$tmp/tree"
head -c $((mb * 1024 * 1024 * 3 / 4)) /dev/urandom | base64 -w 76 |
    (cd "$tmp/tree" && split -a 5 -b $((mb * 1024 * 1024 / files)) - part.)
(cd "$tmp/tree" && for d in $(seq -w 0 19); do mkdir "d$d"; done &&
    n=0 && for f in part.*; do mv "$f" "d$(printf '%02d' $((n % 20)))/"; n=$((n + 1)); done)
first=$(find "$tmp/tree" -type f | sort | sed -n 1,3p)
for f in $first; do printf '\nkey=%s\n' "$(head -1 "$tmp/values")" >>"$f"; done
printf '\n%s\n' "$(sed -n 2p "$tmp/values" | tr -d '\n' | base64)" >>"$(find "$tmp/tree" -type f | sort | tail -1)"
bytes=$(find "$tmp/tree" -type f -printf '%s\n' | awk '{ s += $1 } END { print s }')
find "$tmp/tree" -type f -exec cat {} + >/dev/null # warm the page cache

best_s() { # the best wall time (s) of RUNS runs of "$@"
    local best="" i start end t
    for ((i = 0; i < runs; i++)); do
        start=$(date +%s%N)
        "$@" >/dev/null 2>&1 || true
        end=$(date +%s%N)
        t=$(((end - start) / 1000000))
        if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
    done
    awk -v ms="$best" 'BEGIN { printf "%.3f", ms / 1000 }'
}

vault_s=$(best_s "$vault" scan "$tmp/tree")
grep_s=$(best_s grep -rcF -f "$tmp/values" "$tmp/tree")
found=$("$vault" scan "$tmp/tree" 2>/dev/null | wc -l || true)
cores=$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo "?")

awk -v b="$bytes" -v f="$files" -v v="$vault_s" -v g="$grep_s" -v n="$found" -v c="$cores" 'BEGIN {
    mb = b / 1e6
    printf "tree: %.0f MB in %d files, 20 secrets, %d cores\n", mb, f, c
    printf "vault scan (all encodings, %d findings): %6.2f s  %7.0f MB/s\n", n, v, mb / v
    printf "grep -rcF -f values (raw only):       %6.2f s  %7.0f MB/s\n", g, mb / g
}'
