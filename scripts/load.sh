#!/bin/sh
# Load test of the release binary:
#   1. RUNS (1000) `vault run -- true` in a row: failures, total time, median per run;
#   2. PAR (100) `vault run -- true` at once: failures, total time;
#   3. SIZE (10G) of log lines streamed through `vault run --no-pty -- cat` and through
#      `vault redact`: throughput, peak RSS, output size checked against the input;
#   4. HIT_SIZE (SIZE/10) of lines that each hold a stored secret, through both: throughput,
#      peak RSS, and every line redacted (counted).
# The store holds SECRETS (20) secrets. Input is generated on the fly (`yes | head -c`).
#
#   SIZE=1G scripts/load.sh        # smaller stream; suffixes as head -c (K, M, G)
#   RUNS=200 PAR=50 SECRETS=100 scripts/load.sh
#   VAULT=path/to/vault scripts/load.sh   # skip the build, use that binary
set -eu
cd "$(dirname "$0")/.."

SIZE="${SIZE:-10G}"
RUNS="${RUNS:-1000}"
PAR="${PAR:-100}"
SECRETS="${SECRETS:-20}"
bytes=$(numfmt --from=iec "$SIZE")
HIT_SIZE="${HIT_SIZE:-$((bytes / 10))}"
hit_bytes=$(numfmt --from=iec "$HIT_SIZE")

if [ -z "${VAULT:-}" ]; then
    cargo build --release --locked --quiet
    VAULT="$PWD/target/release/vault"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export VAULT_HOME="$work/home"
VAULT_IDENTITY=$("$VAULT" keygen 2>/dev/null | grep '^AGE-SECRET-KEY-')
export VAULT_IDENTITY
"$VAULT" init 2>/dev/null
i=1
while [ "$i" -le "$SECRETS" ]; do
    printf 'load-secret-%03d-%s' "$i" "$(head -c 18 /dev/urandom | base64 | tr '+/' 'xy')" |
        "$VAULT" set "LOAD_$i" 2>/dev/null
    i=$((i + 1))
done
# The secret that every "hit" line carries.
hit="hit-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
printf %s "$hit" | "$VAULT" set LOAD_HIT 2>/dev/null

now() { date +%s%N; }
ms() { echo "$(( ($2 - $1) / 1000000 ))"; }

echo "vault: $VAULT ($("$VAULT" --version)); $(nproc) CPUs; $((SECRETS + 1)) secrets in the store"

# 1. In a row.
fail=0
: >"$work/times"
start=$(now)
i=0
while [ "$i" -lt "$RUNS" ]; do
    t0=$(now)
    "$VAULT" run -- true || fail=$((fail + 1))
    t1=$(now)
    echo $(( (t1 - t0) / 1000 )) >>"$work/times"
    i=$((i + 1))
done
end=$(now)
median=$(sort -n "$work/times" | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
p99=$(sort -n "$work/times" | awk '{a[NR]=$1} END {print a[int(NR*0.99)]}')
echo "sequential: $RUNS x 'vault run -- true': $fail failed; total $(ms "$start" "$end") ms; median $median us, p99 $p99 us per run"

# 2. At once.
start=$(now)
i=0
while [ "$i" -lt "$PAR" ]; do
    ("$VAULT" run -- true || echo fail >>"$work/par-fail") &
    i=$((i + 1))
done
wait
end=$(now)
pfail=0
[ -f "$work/par-fail" ] && pfail=$(wc -l <"$work/par-fail")
echo "parallel:   $PAR x 'vault run -- true' at once: $pfail failed; total $(ms "$start" "$end") ms"
"$VAULT" audit verify >/dev/null || echo "audit verify FAILED after the runs"

# 3 and 4. Streams.
timed() { # label input-bytes sink line [args...]: yes LINE | head -c BYTES | vault ARGS | sink
    label=$1 nbytes=$2 sink=$3 line=$4
    shift 4
    start=$(now)
    if [ "$sink" = bytes ]; then
        yes "$line" | head -c "$nbytes" |
            /usr/bin/time -v -o "$work/time" "$VAULT" "$@" 2>"$work/err" | wc -c >"$work/out"
        what="out $(numfmt --to=iec "$(cat "$work/out")") (in $(numfmt --to=iec "$nbytes"))"
    else
        yes "$line" | head -c "$nbytes" |
            /usr/bin/time -v -o "$work/time" "$VAULT" "$@" 2>"$work/err" |
            grep -c 'REDACTED:LOAD_HIT' >"$work/out" || true
        what="lines redacted $(cat "$work/out")"
    fi
    end=$(now)
    elapsed=$(ms "$start" "$end")
    rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$work/time")
    vstatus=$(awk -F': ' '/Exit status/ {print $2}' "$work/time")
    mbs=$(awk -v b="$nbytes" -v ms="$elapsed" 'BEGIN {printf "%.0f", b / 1048576 / (ms / 1000)}')
    echo "$label: $(numfmt --to=iec "$nbytes") in $elapsed ms = $mbs MiB/s; peak RSS $rss KiB; exit $vstatus; $what"
}
plain='2026-11-22T10:00:00.000Z INFO request handled path=/api/v1/items status=200 took=12ms user=alice'
# The ceiling: the same pipeline with cat in vault's place.
start=$(now)
yes "$plain" | head -c "$bytes" | cat | wc -c >/dev/null
end=$(now)
echo "baseline yes | head | cat | wc (no vault): $(numfmt --to=iec "$bytes") in $(ms "$start" "$end") ms = $(awk -v b="$bytes" -v ms="$(ms "$start" "$end")" 'BEGIN {printf "%.0f", b / 1048576 / (ms / 1000)}') MiB/s"
timed "stream run --no-pty -- cat" "$bytes" bytes "$plain" run --no-pty -- cat
timed "stream redact            " "$bytes" bytes "$plain" redact
hitline="2026-11-22T10:00:00.000Z DEBUG auth header=Bearer $hit status=200"
# Lines that hold the whole secret: every complete line, and the cut last one if the cut
# falls after the secret.
before="${hitline%%"$hit"*}"
secret_end=$((${#before} + ${#hit}))
expected=$((hit_bytes / (${#hitline} + 1)))
[ $((hit_bytes % (${#hitline} + 1))) -ge "$secret_end" ] && expected=$((expected + 1))
echo "hit lines: each holds LOAD_HIT; $expected of them hold it whole (expected redactions)"
timed "hits   run --no-pty -- cat" "$hit_bytes" hits "$hitline" run --no-pty -- cat
timed "hits   redact            " "$hit_bytes" hits "$hitline" redact
