#!/bin/sh
# A CI job that uses vault, for any runner with a POSIX shell (see github-actions.yml and
# gitlab-ci.yml for those two).
#
# Needs:
# - `vault` on PATH: `./install.sh` from a checkout of vault (installs ~/.local/bin/vault),
#   or `cargo install --locked --git <vault's repository URL>` (vault is not on crates.io);
# - the CI secret VAULT_IDENTITY: the AGE-SECRET-KEY-1… line of `vault keygen`, whose public
#   key a member added with `vault recipients add age1…` to the project store committed in
#   .vault/. Nothing else: no keyring, no terminal, nothing is ever prompted for.
#
# Usage: examples/ci.sh [COMMAND [ARG]...]      (default: ./deploy.sh)
# Exit status: the command's; 75 when the identity does not open the store; 1 when
# `vault scan` finds a stored value in the checkout (the command does not run then).
set -eu

if [ -z "${VAULT_IDENTITY:-}" ]; then
    echo "ci.sh: VAULT_IDENTITY is not set: store an identity from \`vault keygen\` as a masked CI secret" >&2
    exit 75
fi
if ! command -v vault >/dev/null 2>&1; then
    echo "ci.sh: vault is not on PATH" >&2
    exit 127
fi

# Which store, how it unlocks, how many secrets (fails with 75 if the identity is not a
# recipient of the store).
vault status

# Fail the job if a stored value (or an encoding of it) was committed anywhere.
vault scan .

# The job itself: secrets in its environment, its output redacted.
if [ "$#" -eq 0 ]; then
    set -- ./deploy.sh
fi
exec vault run -- "$@"
