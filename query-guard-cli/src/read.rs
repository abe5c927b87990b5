//! Reading a command's text input: a file, or standard input for `-`.

use std::io::Read;

use crate::failure::Failure;

/// Reads a text input: a file, or standard input for `-`. Returns the name to show in messages
/// (`standard input` or the path) and the text. Unreadable or non-UTF-8 input is a usage error
/// naming the line where the bytes stop being UTF-8 and `expected` (what the input should be).
pub(crate) fn read_text(path: &str, expected: &str) -> Result<(String, String), Failure> {
    let (name, bytes) = if path == "-" {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|e| Failure::usage(format!("cannot read standard input: {e}")))?;
        ("standard input".to_owned(), buf)
    } else {
        let bytes =
            std::fs::read(path).map_err(|e| Failure::usage(format!("cannot read {path}: {e}")))?;
        (path.to_owned(), bytes)
    };
    let text = String::from_utf8(bytes).map_err(|e| {
        let upto = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + upto.iter().filter(|&&b| b == b'\n').count();
        Failure::usage(format!(
            "{name} line {line}: not valid UTF-8; expected {expected}"
        ))
    })?;
    Ok((name, text))
}
