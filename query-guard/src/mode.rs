//! [`Mode`]: what happens when a scope breaks its budget (documented on the type, which the
//! crate root re-exports).

use std::sync::OnceLock;

/// The action taken when a scope breaks its budget: panic, warn, or nothing.
///
/// The mode is chosen, first match wins, by
/// 1. the `QUERY_GUARD` environment variable (`panic`, `warn` or `off`), read once per process;
/// 2. `QUERY_GUARD_TEST_MODE` (test scopes) or `QUERY_GUARD_MODE` (other scopes);
/// 3. the scope's own setting (`#[query_budget(mode = "warn")]`, [`crate::ScopeBuilder::mode`]);
/// 4. `test_mode` or `mode` in `query-guard.toml` (see [`crate::config`]);
/// 5. the default: [`Mode::Panic`] in tests (code compiled with `cfg(test)`, and the
///    [`crate::capture`] family), [`Mode::Warn`] elsewhere, so a handler in production logs a
///    WARN event instead of failing the request.
///
/// [`Mode::resolve`] applies these rules; it lives with the configuration it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Panic with the report (tests).
    Panic,
    /// Emit a WARN event, target `query_guard`, carrying the report (production).
    Warn,
    /// Record only.
    Off,
}

impl Mode {
    /// Parses `panic`, `warn` or `off` (case-insensitive, surrounding spaces ignored).
    ///
    /// ```
    /// use query_guard::Mode;
    /// assert_eq!(Mode::parse(" Warn "), Some(Mode::Warn));
    /// assert_eq!(Mode::parse("loud"), None);
    /// ```
    pub fn parse(value: &str) -> Option<Mode> {
        match value.trim().to_ascii_lowercase().as_str() {
            "panic" => Some(Mode::Panic),
            "warn" => Some(Mode::Warn),
            "off" => Some(Mode::Off),
            _ => None,
        }
    }

    /// The name `parse` accepts.
    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Panic => "panic",
            Mode::Warn => "warn",
            Mode::Off => "off",
        }
    }

    /// The mode the `QUERY_GUARD` environment variable forces, if it is set to a valid value.
    /// An invalid value is reported once on stderr and ignored.
    pub fn from_env() -> Option<Mode> {
        static ENV: OnceLock<Option<Mode>> = OnceLock::new();
        *ENV.get_or_init(|| {
            let raw = std::env::var("QUERY_GUARD").ok()?;
            if raw.trim().is_empty() {
                return None;
            }
            let mode = Mode::parse(&raw);
            if mode.is_none() {
                eprintln!(
                    "query-guard: ignoring QUERY_GUARD={raw:?}: expected one of `panic`, `warn`, `off`"
                );
            }
            mode
        })
    }
}

impl std::fmt::Display for Mode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}
