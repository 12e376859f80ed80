#!/bin/sh
# Build vault from this checkout and install it, its man pages and its shell completions.
#
#   "$(./install.sh)" --help                 installs under ~/.local, then runs it
#   "$(PREFIX=/usr/local ./install.sh)" --help
#
# Progress and the summary go to stderr; the one line on stdout is the installed binary's
# path, so "$(./install.sh)" is the binary whatever PREFIX is. Works from any directory and
# under nohup. Idempotent: running it again rebuilds from the current source and replaces
# the files.
set -eu

PREFIX="${PREFIX:-$HOME/.local}"
src=$(cd "$(dirname "$0")" && pwd)

say() { printf 'install.sh: %s\n' "$*" >&2; }

if ! command -v cargo >/dev/null 2>&1; then
    say "cargo not found; install Rust (https://rustup.rs) and try again"
    exit 1
fi
case "$PREFIX" in
    /*) ;;
    *) PREFIX="$(pwd)/$PREFIX" ;;
esac

say "building vault (release, about 4 minutes on 2 cores; cargo's progress follows) from $src"
# cargo prints its progress on stderr; without a terminal it prints one line per crate.
cargo install --locked --force --path "$src" --root "$PREFIX" 1>&2

man_dir="$PREFIX/share/man/man1"
bash_dir="$PREFIX/share/bash-completion/completions"
zsh_dir="$PREFIX/share/zsh/site-functions"
fish_dir="$PREFIX/share/fish/vendor_completions.d"
mkdir -p "$man_dir" "$bash_dir" "$zsh_dir" "$fish_dir"
for page in "$src"/man/*.1; do
    cp "$page" "$man_dir/"
done
cp "$src/completions/vault.bash" "$bash_dir/vault"
cp "$src/completions/_vault" "$zsh_dir/_vault"
cp "$src/completions/vault.fish" "$fish_dir/vault.fish"

say "installed $("$PREFIX/bin/vault" --version)"
say "  binary       $PREFIX/bin/vault"
say "  man pages    $man_dir/vault.1 and vault-*.1"
say "  completions  $bash_dir/vault, $zsh_dir/_vault, $fish_dir/vault.fish"
case ":${PATH}:" in
    *":$PREFIX/bin:"*) ;;
    *) say "note: $PREFIX/bin is not on your PATH; add it, or call $PREFIX/bin/vault" ;;
esac
printf '%s\n' "$PREFIX/bin/vault"
