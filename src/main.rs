//! The `vault` binary: everything happens in the library; this only sets the exit status.

fn main() -> std::process::ExitCode {
    vault::main()
}
