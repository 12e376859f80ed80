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
#   bench/run.sh [path/to/vault]     (default: target/release/vault, built if missing)
#   BIG_MB=1024 RUNS=3 STARTUP_RUNS=51 bench/run.sh
#
# Prints a markdown table (docs/benchmarks.md quotes one).
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

run_pipes() { "$vault" run --no-pty -- cat "$big" >/dev/null </dev/null; }
# The baseline is the same two-process pipeline vault makes (cat -> pipe -> reader).
# shellcheck disable=SC2002
base_pipes() { cat "$big" </dev/null | cat >/dev/null; }
run_pty() { "$vault" run --pty -- cat "$big" >/dev/null </dev/null; }
base_pty() { script -qc "cat '$big'" /dev/null >/dev/null </dev/null; }
run_redact() { "$vault" redact <"$big" >/dev/null; }
# Piped: GNU grep stops at the first match when its stdout is /dev/null.
head -n 100 "$tmp/values" >"$tmp/values100"
base_grep() { grep -cF -f "$tmp/values100" "$big" | cat >/dev/null || true; }
run_redact_cat() { "$vault" redact <"$big" | cat >/dev/null; }
# shellcheck disable=SC2002
base_cat_cat() { cat "$big" | cat >/dev/null; }

load_before=$(cut -d' ' -f1-3 /proc/loadavg)

# The program, not bash's builtin.
true_bin=$(type -P true)
true_ms=$(median_ms "$true_bin")
run10_ms=$(VAULT_HOME="$tmp/home10" median_ms "$vault" run -- true)
run100_ms=$(median_ms "$vault" run -- true)
list10_ms=$(VAULT_HOME="$tmp/home10" median_ms "$vault" list)
list100_ms=$(median_ms "$vault" list)
echo_bin=$(type -P echo)
echo_ms=$(median_ms "$echo_bin" hi)
echo10_ms=$(VAULT_HOME="$tmp/home10" median_ms "$vault" run -- echo hi)
echo100_ms=$(median_ms "$vault" run -- echo hi)
true_cpu=$(cpu_ms "$true_bin")
run10_cpu=$(VAULT_HOME="$tmp/home10" cpu_ms "$vault" run -- true)
run100_cpu=$(cpu_ms "$vault" run -- true)
list10_cpu=$(VAULT_HOME="$tmp/home10" cpu_ms "$vault" list)
list100_cpu=$(cpu_ms "$vault" list)
echo100_cpu=$(cpu_ms "$vault" run -- echo hi)
run1000_ms=$(VAULT_HOME="$tmp/home1000" median_ms "$vault" run -- true)
echo1000_ms=$(VAULT_HOME="$tmp/home1000" median_ms "$vault" run --no-pty -- echo hi)
echo100np_ms=$(median_ms "$vault" run --no-pty -- echo hi)
ins_true=""
ins_echo=""
for n in 10 100 1000; do
    ins_true="$ins_true / $(VAULT_HOME="$tmp/home$n" insns "$vault" run -- true)"
    ins_echo="$ins_echo / $(VAULT_HOME="$tmp/home$n" insns "$vault" run --no-pty -- echo hi)"
done
ins_true=${ins_true# / }
ins_echo=${ins_echo# / }

pipes=$(mbps "$big_bytes" "$(best_ns run_pipes)")
pipes_base=$(mbps "$big_bytes" "$(best_ns base_pipes)")
pipes10=$(VAULT_HOME="$tmp/home10" mbps "$big_bytes" "$(VAULT_HOME="$tmp/home10" best_ns run_pipes)")
pty=$(mbps "$big_bytes" "$(best_ns run_pty)")
pty_base=$(mbps "$big_bytes" "$(best_ns base_pty)")
redact=$(mbps "$big_bytes" "$(best_ns run_redact)")
grep_base=$(mbps "$big_bytes" "$(best_ns base_grep)")
redact_cat=$(mbps "$big_bytes" "$(best_ns run_redact_cat)")
cat_cat=$(mbps "$big_bytes" "$(best_ns base_cat_cat)")

rss100=$(peak_rss_kib "$vault" run --no-pty -- cat "$tmp/big100")
rss100_10=$(VAULT_HOME="$tmp/home10" peak_rss_kib "$vault" run --no-pty -- cat "$tmp/big100")
rssbig=$(peak_rss_kib "$vault" run --no-pty -- cat "$big")
# shellcheck disable=SC2016 # expanded by the inner sh
rss_redact=$(peak_rss_kib sh -c '"$0" redact < "$1"' "$vault" "$big")
rss1000=$(VAULT_HOME="$tmp/home1000" peak_rss_kib "$vault" run --no-pty -- cat "$tmp/big100")
# shellcheck disable=SC2016 # expanded by the inner sh
rss_redact1000=$(VAULT_HOME="$tmp/home1000" peak_rss_kib sh -c '"$0" redact < "$1"' "$vault" "$tmp/big100")

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# ---------------------------------------------------------------------------------------
# Report

overhead10=$(awk -v a="$run10_ms" -v b="$true_ms" 'BEGIN { printf "%.2f", a - b }')
overhead100=$(awk -v a="$run100_ms" -v b="$true_ms" 'BEGIN { printf "%.2f", a - b }')
echo_over10=$(awk -v a="$echo10_ms" -v b="$echo_ms" 'BEGIN { printf "%.2f", a - b }')
echo_over100=$(awk -v a="$echo100_ms" -v b="$echo_ms" 'BEGIN { printf "%.2f", a - b }')
echo "machine: $(nproc) cores, $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)"
echo "load average (1/5/15 min): $load_before before, $load_after after"
echo "stores: 10 and 100 secrets of 16-64 bytes (tokens, passwords with symbols, base64, hex); the 100-secret store unless said otherwise"
echo "BIG: $big_bytes bytes of log-like text (an ${block_bytes}-byte block repeated), 100 values planted; best of $runs runs; startup: median of $startup_runs"
echo
echo "| measurement | vault | baseline | ratio |"
echo "|---|---|---|---|"
echo "| startup, 10 secrets: \`vault run -- true\` vs \`true\` (wall, median) | $run10_ms ms | $true_ms ms | +$overhead10 ms |"
echo "| startup, 10 secrets (CPU user+sys per run) | $run10_cpu ms | $true_cpu ms | |"
echo "| startup, 100 secrets: \`vault run -- true\` vs \`true\` (wall, median) | $run100_ms ms | $true_ms ms | +$overhead100 ms |"
echo "| startup, 100 secrets (CPU user+sys per run) | $run100_cpu ms | $true_cpu ms | |"
echo "| with output, 10 secrets: \`vault run -- echo hi\` vs \`echo hi\` (wall, median) | $echo10_ms ms | $echo_ms ms | +$echo_over10 ms |"
echo "| with output, 100 secrets (wall, median; CPU user+sys per run) | $echo100_ms ms; $echo100_cpu ms CPU | $echo_ms ms | +$echo_over100 ms |"
echo "| startup, 1000 secrets: \`vault run -- true\` vs \`true\` (wall, median) | $run1000_ms ms | $true_ms ms | +$(awk -v a="$run1000_ms" -v b="$true_ms" 'BEGIN { printf "%.2f", a - b }') ms |"
echo "| with output, \`vault run --no-pty -- echo hi\` vs \`true\`, 100 / 1000 secrets (wall, median) | $echo100np_ms / $echo1000_ms ms | $true_ms ms | +$(awk -v a="$echo100np_ms" -v b="$true_ms" 'BEGIN { printf "%.2f", a - b }') / +$(awk -v a="$echo1000_ms" -v b="$true_ms" 'BEGIN { printf "%.2f", a - b }') ms |"
echo "| instructions, \`vault run -- true\`, 10 / 100 / 1000 secrets | $ins_true | | |"
echo "| instructions, \`vault run --no-pty -- echo hi\`, 10 / 100 / 1000 secrets | $ins_echo | | |"
echo "| for reference: \`vault list\` (unlock + decrypt, no patterns, no child), 10 / 100 secrets | $list10_ms / $list100_ms ms wall, $list10_cpu / $list100_cpu ms CPU | | |"
echo "| pipes: \`vault run --no-pty -- cat BIG\` vs \`cat BIG \\| cat\` | $pipes MB/s | $pipes_base MB/s | $(pct "$pipes" "$pipes_base") |"
echo "| pipes, 10 secrets | $pipes10 MB/s | $pipes_base MB/s | $(pct "$pipes10" "$pipes_base") |"
echo "| PTY: \`vault run --pty -- cat BIG\` vs \`script -qc 'cat BIG'\` | $pty MB/s | $pty_base MB/s | $(pct "$pty" "$pty_base") |"
echo "| redact: \`vault redact < BIG > /dev/null\` vs \`grep -cF -f values BIG \| cat\` | $redact MB/s | $grep_base MB/s | $(pct "$redact" "$grep_base") |"
echo "| redact: \`vault redact < BIG \| cat\` vs \`cat BIG \| cat\` | $redact_cat MB/s | $cat_cat MB/s | $(pct "$redact_cat" "$cat_cat") |"
echo "| peak RSS, \`vault run --no-pty -- cat\` 100 MB, 10 secrets | $((rss100_10 / 1024)) MiB ($rss100_10 KiB) | | |"
echo "| peak RSS, \`vault run --no-pty -- cat\` 100 MB | $((rss100 / 1024)) MiB ($rss100 KiB) | | |"
echo "| peak RSS, \`vault run --no-pty -- cat\` $((big_bytes / 1048576)) MiB | $((rssbig / 1024)) MiB ($rssbig KiB) | | |"
echo "| peak RSS, \`vault redact\` $((big_bytes / 1048576)) MiB | $((rss_redact / 1024)) MiB ($rss_redact KiB) | | |"
echo "| peak RSS, 1000 secrets: \`vault run --no-pty -- cat\` 100 MB / \`vault redact\` 100 MB | $((rss1000 / 1024)) / $((rss_redact1000 / 1024)) MiB ($rss1000 / $rss_redact1000 KiB) | | |"
