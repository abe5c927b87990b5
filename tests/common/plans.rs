//! The EXPLAIN scenarios of `tests/fixtures/explain` (see its README): one block per scenario,
//! `-- name:`, optional `-- settings:` (`SET …` statements separated by `;`) and `-- expect:`
//! lines, then the statement.

use std::path::PathBuf;

/// One scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Its name (the fixture files' stem).
    pub name: String,
    /// `SET …` statements to run first.
    pub settings: Vec<String>,
    /// The statement, without its final `;`.
    pub sql: String,
}

/// The fixtures directory.
pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/explain")
}

/// Reads a scenarios file (relative to the fixtures directory).
pub fn scenarios(file: &str) -> Vec<Scenario> {
    let text = std::fs::read_to_string(fixtures().join(file)).expect("scenarios file");
    let mut out = Vec::new();
    for block in text.split("\n\n") {
        let mut name = None;
        let mut settings = Vec::new();
        let mut sql = String::new();
        for line in block.lines() {
            if let Some(n) = line.strip_prefix("-- name:") {
                name = Some(n.trim().to_owned());
            } else if let Some(s) = line.strip_prefix("-- settings:") {
                settings.extend(
                    s.split(';')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(str::to_owned),
                );
            } else if !line.starts_with("--") {
                sql.push_str(line);
                sql.push('\n');
            }
        }
        if let Some(name) = name {
            let sql = sql.trim().trim_end_matches(';').trim().to_owned();
            out.push(Scenario {
                name,
                settings,
                sql,
            });
        }
    }
    out
}

/// The statements of a setup script, one by one (split at `;` ending a line; comments dropped).
pub fn setup_statements(file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(fixtures().join(file)).expect("setup file");
    let mut out = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let code = line.split("--").next().unwrap_or_default();
        if code.trim().is_empty() {
            continue;
        }
        current.push_str(code);
        current.push('\n');
        if code.trim_end().ends_with(';') {
            out.push(current.trim().trim_end_matches(';').to_owned());
            current.clear();
        }
    }
    if !current.trim().is_empty() {
        out.push(current.trim().to_owned());
    }
    out
}
