//! The `query-guard` binary: everything is in the library (`src/lib.rs`), so that the fuzz
//! targets can reach the readers.

fn main() -> std::process::ExitCode {
    query_guard_cli::main()
}
