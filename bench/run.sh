#!/usr/bin/env bash
# `vault run` and `vault redact` against their physical baselines, all measured in one run:
#
#   startup   vault run -- true            vs  true                  (median ms; 10, 100, 1000 secrets;
#             vault list beside it: unlocking and decrypting without building patterns)
#   output    vault run -- echo hi         vs  echo hi               (median ms; the first byte of
#             output waits for the redactor's patterns, which a silent command never builds)
#   pipes     vault run --no-pty -- cat BIG  vs  cat BIG | cat        (MB/s)
#   pty       vault run --pty -- cat BIG     vs  script -qc 'cat BIG'  (MB/s; stdout /dev/null)
#   redact    vault redact < BIG            vs  grep -cF -f values BIG | cat (MB/s), and
#             vault redact < BIG | cat      vs  cat BIG | cat
#   insns     instructions (valgrind --tool=callgrind, if installed) of vault run -- true and
#             vault run --no-pty -- echo hi at 10, 100 and 1000 secrets: repeatable under load
#   memory    peak RSS of vault run --no-pty -- cat FILE, for 100 MB and for BIG
#
# BIG is generated log-like text (timestamps, levels, key=value pairs, hex ids) with the 100
# stored values planted in it. Throughputs are the best of $RUNS runs, MB = 10^6 bytes.
#
#   bench/run.sh [path/to/vault [path/to/before]]   (default: target/release/vault, built if missing)
#   BIG_MB=1024 RUNS=3 STARTUP_RUNS=51 bench/run.sh
#
# With a second binary (an earlier build, say), every vault measurement is taken for both,
# one right after the other, so "before" and "after" share the machine's conditions; the
# baselines are measured once. Both must read the same store format.
#
# Prints a markdown table (docs/benchmarks.md quotes one).
set -euo pipefail
cd "$(dirname "$0")/.."
vault=${1:-target/release/vault}
if [ ! -x "$vault" ]; then
    cargo build --release --quiet
fi
vault=$(realpath "$vault")
bins=("$vault")
if [ -n "${2:-}" ]; then
    bins+=("$(realpath "$2")")
fi
big_mb=${BIG_MB:-1024}
runs=${RUNS:-3}
startup_runs=${STARTUP_RUNS:-51}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/vault-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---------------------------------------------------------------------------------------
# Helpers

# wall clock in ns, into $ns (no command substitution: that would fork a subshell)
now() {
    local t=${EPOCHREALTIME/[.,]/}
    ns=$((10#$t * 1000))
}

# median wall time, in ms with 2 decimals, of $startup_runs runs of "$@" (output discarded)
median_ms() {
    local times=() i start
    for ((i = 0; i < startup_runs; i++)); do
        now
        start=$ns
        "$@" >/dev/null 2>&1 </dev/null || true
        now
        times+=($(((ns - start) / 10000)))
    done
    printf '%s\n' "${times[@]}" | sort -n |
        awk -v n="$startup_runs" 'NR == int((n + 1) / 2) { printf "%.2f", $1 / 100 }'
}

# CPU time (user + sys) per run, in ms with 2 decimals, of $startup_runs runs of "$@": less
# sensitive than wall time to other load on a shared machine
cpu_ms() {
    local i
    times >"$tmp/times0"
    for ((i = 0; i < startup_runs; i++)); do
        "$@" >/dev/null 2>&1 </dev/null || true
    done
    times >"$tmp/times1"
    awk -v n="$startup_runs" 'FNR == 2 { split($1, u, "m"); split($2, s, "m"); t[FILENAME] = u[1] * 60 + u[2] + s[1] * 60 + s[2] }
        END { printf "%.2f", (t[ARGV[2]] - t[ARGV[1]]) * 1000 / n }' "$tmp/times0" "$tmp/times1"
}

# best wall time in ns of $runs runs of "$@"
best_ns() {
    local best=0 i start d
    for ((i = 0; i < runs; i++)); do
        now
        start=$ns
        "$@"
        now
        d=$((ns - start))
        if [ "$best" -eq 0 ] || [ "$d" -lt "$best" ]; then best=$d; fi
    done
    echo "$best"
}

# instructions vault itself executes for "$@" (not its child), or "-" without valgrind
insns() {
    if ! command -v valgrind >/dev/null 2>&1; then
        echo "-"
        return
    fi
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null </dev/null |
        awk '/Collected :/ { printf "%.1f M", $NF / 1e6 }'
}

mbps() { # bytes ns -> MB/s
    awk -v b="$1" -v ns="$2" 'BEGIN { printf "%.0f", b / ns * 1000 }'
}

pct() { # part whole -> percent
    awk -v a="$1" -v b="$2" 'BEGIN { printf "%.0f%%", 100 * a / b }'
}

# peak RSS in KiB of "$@" (stdout to /dev/null): GNU time if present, else /proc polling
peak_rss_kib() {
    if /usr/bin/time -f %M "$(type -P true)" >/dev/null 2>&1; then
        /usr/bin/time -o "$tmp/rss" -f %M "$@" >/dev/null 2>/dev/null </dev/null
        cat "$tmp/rss"
        return
    fi
    "$@" >/dev/null 2>/dev/null </dev/null &
    local pid=$! hwm=0 v
    while kill -0 "$pid" 2>/dev/null; do
        v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || true)
        if [ -n "$v" ] && [ "$v" -gt "$hwm" ]; then hwm=$v; fi
        sleep 0.05
    done
    wait "$pid" || true
    echo "$hwm"
}

# ---------------------------------------------------------------------------------------
# Fixtures: two stores (10 and 100 secrets), the values, BIG

VAULT_IDENTITY=$("$vault" keygen 2>/dev/null)
export VAULT_IDENTITY

# 100 values of 16-64 bytes in the shapes real secrets have: tokens, passwords, base64, hex.
awk 'BEGIN {
    srand(7)
    alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    pw = alnum "!@#%^&*()-_=+"
    b64 = alnum "+/"
    hex = "0123456789abcdef"
    for (i = 0; i < 1000; i++) {
        len = 16 + int(rand() * 49)
        kind = i % 4
        if (kind == 0) { v = "ghp_"; set = alnum }
        else if (kind == 1) { v = ""; set = pw }
        else if (kind == 2) { v = ""; set = b64 }
        else { v = ""; set = hex }
        while (length(v) < len) v = v substr(set, 1 + int(rand() * length(set)), 1)
        print v
    }
}' >"$tmp/values"

for n in 10 100 1000; do
    head -n "$n" "$tmp/values" | awk '{ printf "SECRET_%03d='\''%s'\''\n", NR, $0 }' >"$tmp/env$n"
    VAULT_HOME="$tmp/home$n" "$vault" init >/dev/null 2>&1
    VAULT_HOME="$tmp/home$n" "$vault" import "$tmp/env$n" >/dev/null 2>&1
done
export VAULT_HOME="$tmp/home100"

# An 8 MiB block of log lines with a stored value planted about every 400 lines, repeated
# (page-cache speed either way) up to BIG_MB MiB.
awk -v values="$tmp/values" 'BEGIN {
    srand(11)
    while ((getline v < values) > 0 && nv < 100) vals[nv++] = v
    split("GET POST /api/v1/items user=alice user=bob status=200 status=404 cache miss hit retry worker session connection established latency_ms=12 bytes=5120 ok done", w, " ")
    nw = length(w)
    split("INFO WARN DEBUG ERROR", lv, " ")
    size = 0
    while (size < 8 * 1048576) {
        n++
        line = sprintf("2026-11-22T04:%02d:%02d.%03dZ %s worker-%d id=%08x%08x", int(n / 3600) % 60, int(n / 60) % 60, n % 1000, lv[1 + int(rand() * 4)], int(rand() * 16), int(rand() * 4294967295), int(rand() * 4294967295))
        k = 3 + int(rand() * 8)
        for (j = 0; j < k; j++) line = line " " w[1 + int(rand() * nw)]
        if (n % 400 == 0) line = line " token=" vals[int(rand() * nv)]
        print line
        size += length(line) + 1
    }
}' >"$tmp/block"
block_bytes=$(stat -c %s "$tmp/block")
: >"$tmp/big"
while [ "$(stat -c %s "$tmp/big")" -lt $((big_mb * 1048576)) ]; do
    cat "$tmp/block" >>"$tmp/big"
done
truncate -s $((big_mb * 1048576)) "$tmp/big"
big="$tmp/big"
big_bytes=$(stat -c %s "$big")
head -c $((100 * 1000 * 1000)) "$big" >"$tmp/big100"
cat "$big" >/dev/null # into the page cache

# ---------------------------------------------------------------------------------------
# Measurements

# Each vault measurement takes the binary as its first argument.
run_pipes() { "$1" run --no-pty -- cat "$big" >/dev/null </dev/null; }
# The baseline is the same two-process pipeline vault makes (cat -> pipe -> reader).
# shellcheck disable=SC2002
base_pipes() { cat "$big" </dev/null | cat >/dev/null; }
run_pty() { "$1" run --pty -- cat "$big" >/dev/null </dev/null; }
base_pty() { script -qc "cat '$big'" /dev/null >/dev/null </dev/null; }
run_redact() { "$1" redact <"$big" >/dev/null; }
# Piped: GNU grep stops at the first match when its stdout is /dev/null.
head -n 100 "$tmp/values" >"$tmp/values100"
base_grep() { grep -cF -f "$tmp/values100" "$big" | cat >/dev/null || true; }
run_redact_cat() { "$1" redact <"$big" | cat >/dev/null; }
# shellcheck disable=SC2002
base_cat_cat() { cat "$big" | cat >/dev/null; }

# R[i.key]: measurement `key` of binary i (0: the one measured, 1: before)
declare -A R
# each KEY CMD...: R[i.KEY] = output of CMD... BIN for every binary, one after the other
each() {
    local key=$1 i
    shift
    for i in "${!bins[@]}"; do
        R[$i.$key]=$("$@" "${bins[$i]}")
    done
}
# with VAULT_HOME set to the N-secret store
at() {
    local n=$1
    shift
    VAULT_HOME="$tmp/home$n" "$@"
}
m_wall() { # n args... bin
    local n=$1 bin=${*: -1}
    at "$n" median_ms "$bin" "${@:2:$#-2}"
}
m_cpu() {
    local n=$1 bin=${*: -1}
    at "$n" cpu_ms "$bin" "${@:2:$#-2}"
}
m_insns() {
    local bin=$1 out="" n
    shift
    for n in 10 100 1000; do
        out="$out / $(at "$n" insns "$bin" "$@")"
    done
    echo "${out# / }"
}
m_mbps() { # n func bin
    at "$1" mbps "$big_bytes" "$(at "$1" best_ns "$2" "$3")"
}
m_rss() { # n file redact|run bin
    local n=$1 file=$2 how=$3 bin=$4
    if [ "$how" = redact ]; then
        # shellcheck disable=SC2016 # expanded by the inner sh
        at "$n" peak_rss_kib sh -c '"$0" redact < "$1"' "$bin" "$file"
    else
        at "$n" peak_rss_kib "$bin" run --no-pty -- cat "$file"
    fi
}
insns_true() { m_insns "$1" run -- true; }
insns_echo() { m_insns "$1" run --no-pty -- echo hi; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# The program, not bash's builtin.
true_bin=$(type -P true)
true_ms=$(median_ms "$true_bin")
echo_bin=$(type -P echo)
echo_ms=$(median_ms "$echo_bin" hi)
true_cpu=$(cpu_ms "$true_bin")
each run10 m_wall 10 run -- true
each run100 m_wall 100 run -- true
each run1000 m_wall 1000 run -- true
each list10 m_wall 10 list
each list100 m_wall 100 list
each echo10 m_wall 10 run -- echo hi
each echo100 m_wall 100 run -- echo hi
each echo100np m_wall 100 run --no-pty -- echo hi
each echo1000 m_wall 1000 run --no-pty -- echo hi
each run10_cpu m_cpu 10 run -- true
each run100_cpu m_cpu 100 run -- true
each list10_cpu m_cpu 10 list
each list100_cpu m_cpu 100 list
each echo100_cpu m_cpu 100 run -- echo hi
each ins_true insns_true
each ins_echo insns_echo

pipes_base=$(mbps "$big_bytes" "$(best_ns base_pipes)")
each pipes m_mbps 100 run_pipes
each pipes10 m_mbps 10 run_pipes
pty_base=$(mbps "$big_bytes" "$(best_ns base_pty)")
each pty m_mbps 100 run_pty
grep_base=$(mbps "$big_bytes" "$(best_ns base_grep)")
each redact m_mbps 100 run_redact
cat_cat=$(mbps "$big_bytes" "$(best_ns base_cat_cat)")
each redact_cat m_mbps 100 run_redact_cat

each rss100 m_rss 100 "$tmp/big100" run
each rss100_10 m_rss 10 "$tmp/big100" run
each rssbig m_rss 100 "$big" run
each rss_redact m_rss 100 "$big" redact
each rss1000 m_rss 1000 "$tmp/big100" run
each rss_redact1000 m_rss 1000 "$tmp/big100" redact

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------
# Report

minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "+%.2f", a - b }'; }
mib() { echo "$(($1 / 1024)) MiB ($1 KiB)"; }
# row LABEL VAULT_CELL(i) BASELINE RATIO(i): a table row; VAULT_CELL and RATIO are functions
# of the binary's index, printed for the binary measured and (if any) the one before
row() {
    local label=$1 cell=$2 base=$3 ratio=$4 line
    line="| $label | $($cell 0) |"
    if [ "${#bins[@]}" -gt 1 ]; then
        line="$line $($cell 1) |"
    fi
    echo "$line $base | $($ratio 0) |"
}
none() { :; }
v() { echo "${R[$1.$key]}"; }
c_ms() { echo "${R[$1.$key]} ms"; }
c_mbps() { echo "${R[$1.$key]} MB/s"; }
c_rss() { mib "${R[$1.$key]}"; }
over() { echo "$(minus "${R[$1.$key]}" "$base_v") ms"; }
ratio() { pct "${R[$1.$key]}" "$base_v"; }

echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "load average (1/5/15 min): $load_before before, $load_after after"
echo "stores: 10, 100 and 1000 secrets of 16-64 bytes (tokens, passwords with symbols, base64, hex); the 100-secret store unless said otherwise"
echo "BIG: $big_bytes bytes of log-like text (an ${block_bytes}-byte block repeated), 100 values planted; best of $runs runs; startup: median of $startup_runs"
echo "vault: ${bins[0]}"
if [ "${#bins[@]}" -gt 1 ]; then
    echo "before: ${bins[1]}"
    echo
    echo "| measurement | vault | before | baseline | vault − / ÷ baseline |"
    echo "|---|---|---|---|---|"
else
    echo
    echo "| measurement | vault | baseline | vault − / ÷ baseline |"
    echo "|---|---|---|---|"
fi
base_v=$true_ms
key=run10 row "startup, 10 secrets: \`vault run -- true\` vs \`true\` (wall, median)" c_ms "$true_ms ms" over
key=run100 row "startup, 100 secrets (wall, median)" c_ms "$true_ms ms" over
key=run1000 row "startup, 1000 secrets (wall, median)" c_ms "$true_ms ms" over
key=run10_cpu row "startup, 10 secrets (CPU user+sys per run)" c_ms "$true_cpu ms" none
key=run100_cpu row "startup, 100 secrets (CPU user+sys per run)" c_ms "$true_cpu ms" none
base_v=$echo_ms
key=echo10 row "with output, 10 secrets: \`vault run -- echo hi\` vs \`echo hi\` (wall, median)" c_ms "$echo_ms ms" over
key=echo100 row "with output, 100 secrets (wall, median)" c_ms "$echo_ms ms" over
key=echo100_cpu row "with output, 100 secrets (CPU user+sys per run)" c_ms "" none
base_v=$true_ms
key=echo100np row "with output, \`vault run --no-pty -- echo hi\` vs \`true\`, 100 secrets (wall, median)" c_ms "$true_ms ms" over
key=echo1000 row "with output, \`vault run --no-pty -- echo hi\` vs \`true\`, 1000 secrets (wall, median)" c_ms "$true_ms ms" over
key=ins_true row "instructions, \`vault run -- true\`, 10 / 100 / 1000 secrets" v "" none
key=ins_echo row "instructions, \`vault run --no-pty -- echo hi\`, 10 / 100 / 1000 secrets" v "" none
key=list10 row "for reference: \`vault list\` (unlock + decrypt, no patterns, no child), 10 secrets (wall)" c_ms "" none
key=list100 row "for reference: \`vault list\`, 100 secrets (wall)" c_ms "" none
base_v=$pipes_base
key=pipes row "pipes: \`vault run --no-pty -- cat BIG\` vs \`cat BIG \\| cat\`" c_mbps "$pipes_base MB/s" ratio
key=pipes10 row "pipes, 10 secrets" c_mbps "$pipes_base MB/s" ratio
base_v=$pty_base
key=pty row "PTY: \`vault run --pty -- cat BIG\` vs \`script -qc 'cat BIG'\`" c_mbps "$pty_base MB/s" ratio
base_v=$grep_base
key=redact row "redact: \`vault redact < BIG > /dev/null\` vs \`grep -cF -f values BIG \\| cat\`" c_mbps "$grep_base MB/s" ratio
base_v=$cat_cat
key=redact_cat row "redact: \`vault redact < BIG \\| cat\` vs \`cat BIG \\| cat\`" c_mbps "$cat_cat MB/s" ratio
key=rss100_10 row "peak RSS, \`vault run --no-pty -- cat\` 100 MB, 10 secrets" c_rss "" none
key=rss100 row "peak RSS, \`vault run --no-pty -- cat\` 100 MB" c_rss "" none
key=rssbig row "peak RSS, \`vault run --no-pty -- cat\` $((big_bytes / 1048576)) MiB" c_rss "" none
key=rss_redact row "peak RSS, \`vault redact\` $((big_bytes / 1048576)) MiB" c_rss "" none
key=rss1000 row "peak RSS, 1000 secrets: \`vault run --no-pty -- cat\` 100 MB" c_rss "" none
key=rss_redact1000 row "peak RSS, 1000 secrets: \`vault redact\` 100 MB" c_rss "" none
