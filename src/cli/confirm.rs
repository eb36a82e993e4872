//! Typed confirmations: a bucket is destroyed only after its exact name is typed
//! (or passed with `--confirm` / `--yes` when there is no terminal).

use std::io::{BufRead, IsTerminal, Write};

/// Whether a person can be asked.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}

/// Asks for `expected` to be typed exactly; `Ok(false)` on a mismatch or end of input.
pub fn typed(prompt: &str, expected: &str) -> std::io::Result<bool> {
    let mut err = std::io::stderr();
    write!(err, "{prompt}")?;
    err.flush()?;
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line)?;
    Ok(matches_exactly(&line, expected))
}

/// The typed line (without its line ending) equals `expected`, nothing more.
pub fn matches_exactly(line: &str, expected: &str) -> bool {
    line.strip_suffix('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .unwrap_or(line)
        == expected
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_exact_name_confirms() {
        assert!(matches_exactly("my-bucket\n", "my-bucket"));
        assert!(matches_exactly("my-bucket\r\n", "my-bucket"));
        assert!(!matches_exactly("my-bucket \n", "my-bucket"));
        assert!(!matches_exactly("My-Bucket\n", "my-bucket"));
        assert!(!matches_exactly("\n", "my-bucket"));
        assert!(!matches_exactly("", "my-bucket"));
    }
}
