#!/bin/sh
# Build vault from this checkout and install it, its man pages and its shell completions.
#
#   ./install.sh                 installs under ~/.local
#   PREFIX=/usr/local ./install.sh
#
# Idempotent: running it again rebuilds from the current source and replaces the files.
set -eu

PREFIX="${PREFIX:-$HOME/.local}"
src=$(cd "$(dirname "$0")" && pwd)

if ! command -v cargo >/dev/null 2>&1; then
    echo "install.sh: cargo not found; install Rust (https://rustup.rs) and try again" >&2
    exit 1
fi

echo "install.sh: building vault (release) from $src"
cargo install --quiet --locked --force --path "$src" --root "$PREFIX"

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

echo "install.sh: installed"
echo "  binary       $PREFIX/bin/vault"
echo "  man pages    $man_dir/vault.1 and vault-*.1"
echo "  completions  $bash_dir/vault, $zsh_dir/_vault, $fish_dir/vault.fish"
case ":${PATH}:" in
    *":$PREFIX/bin:"*) ;;
    *) echo "install.sh: note: $PREFIX/bin is not on your PATH; add it, or call $PREFIX/bin/vault" ;;
esac
"$PREFIX/bin/vault" --version
