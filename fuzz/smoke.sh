#!/bin/sh
# Stable smoke fuzzing (no nightly needed), outside the main test command:
#   1. every fuzz target in turn, TOTAL seconds in all (default 75, at least 60);
#   2. the inputs in regressions/ (bugs already found and reported), replayed with the
#      strict checks on, each reported as "fixed" or "still failing".
# Exit status 1 when step 1 found anything new; with STRICT=1, also when a known
# regression still fails. Crashing inputs are saved under artifacts/TARGET/.
#
#   ./fuzz/smoke.sh            # 75 s
#   ./fuzz/smoke.sh 600        # longer
#   SEED=42 ./fuzz/smoke.sh    # replay a run (the seed is printed first)
set -eu
cd "$(dirname "$0")"
TOTAL=${1:-75}
if [ "$TOTAL" -lt 60 ]; then TOTAL=60; fi
cargo build --quiet --release --no-default-features --bin smoke
status=0
./target/release/smoke --seconds "$TOTAL" ${SEED:+--seed "$SEED"} || status=$?
echo "known regressions (reported bugs), replayed with VAULT_FUZZ_STRICT=1:"
for f in regressions/*/*; do
    [ -f "$f" ] || continue
    target=$(basename "$(dirname "$f")")
    if VAULT_FUZZ_STRICT=1 ./target/release/smoke --replay "$target" "$f" >/dev/null 2>&1; then
        echo "  fixed:          $f"
    else
        echo "  still failing:  $f"
        if [ "${STRICT:-0}" = 1 ]; then status=1; fi
    fi
done
exit "$status"
