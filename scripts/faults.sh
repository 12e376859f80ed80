#!/bin/sh
# Long versions of the fault tests (tests/it/faults.rs, plus the foundation's kill loop):
# kill -9 at random points of every store write, concurrency, damaged files, signals,
# disk full and a read-only store. The tests are the same code as in `cargo test`; only
# their sizes change, through the variables below.
#
#   ITER=500      kill -9 iterations (faults.rs and foundation.rs loops)
#   PARALLEL=128  concurrent `vault set`s (plus a quarter as many runs and lists)
#   ROUNDS=20     rounds of the signal, damage and disk-full tests
#   RELEASE=1     build and test the release profile (slower to build, faster to run)
#   IGNORED=1     also run the tests marked #[ignore] for known src bugs
#   VAULT_TEST_SEED=N  replay a run (the seed is printed by each randomised test)
#
# Disk-full and read-only tests need root (they mount a tmpfs); they print SKIP otherwise.
set -eu
cd "$(dirname "$0")/.."

ITER="${ITER:-500}"
PARALLEL="${PARALLEL:-128}"
ROUNDS="${ROUNDS:-20}"

profile=""
[ "${RELEASE:-0}" = 1 ] && profile="--release"
ignored=""
[ "${IGNORED:-0}" = 1 ] && ignored="--include-ignored"

export VAULT_FAULT_ITER="$ITER"
export VAULT_FAULT_PARALLEL="$PARALLEL"
export VAULT_FAULT_ROUNDS="$ROUNDS"
export VAULT_TEST_KILL_ITERATIONS="$ITER"

echo "faults: ITER=$ITER PARALLEL=$PARALLEL ROUNDS=$ROUNDS ${profile:-debug} $ignored"
log="${LOG:-$(mktemp)}"
[ -n "${LOG:-}" ] || trap 'rm -f "$log"' EXIT
start=$(date +%s)
# One test at a time: the kill loop's timing and the signal tests want the CPU.
set +e
# shellcheck disable=SC2086 # $profile and $ignored are one word or empty
cargo test $profile --locked --test it -- --test-threads=1 --nocapture $ignored \
    faults:: foundation::sigkill_during_set_never_damages_store \
    foundation::concurrent_sets_all_land >"$log" 2>&1
status=$?
set -e
grep -E '^(ok|FAILED|test |test result|kill -9|  [A-Za-z]+: |disk full|[0-9]+ (sets|damaged)|SKIP|VAULT_TEST_SEED|typical|[0-9]+ of [0-9]+ sets)' "$log" || true
if [ "$status" != 0 ]; then
    echo "--- failures (full log: ${LOG:-set LOG=FILE to keep it}) ---"
    sed -n '/^failures:/,$p' "$log" | head -200
fi
echo "faults: exit $status after $(($(date +%s) - start)) s"
exit "$status"
