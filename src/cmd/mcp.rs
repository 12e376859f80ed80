//! `vault mcp`: serve the Model Context Protocol on stdin/stdout (see `mcp.rs`).

use crate::error::Result;
use crate::exit::Exit;

/// Serves until the client closes stdin.
pub fn run() -> Result<Exit> {
    crate::mcp::serve(std::io::BufReader::new(std::io::stdin()), std::io::stdout());
    Ok(Exit::Success)
}
