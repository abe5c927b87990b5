//! `query-guard.toml`: project-wide settings, with `QUERY_GUARD_*` environment overrides.
//!
//! The file sets the defaults every scope starts from (the mode in and out of tests, the N+1
//! threshold, what is counted, what reports show and where they go), names budget presets, and
//! lists statements to ignore and findings to allow, each allowance with the reason it is
//! acceptable. Every key is optional; an unknown key, a value of the wrong type or out of range
//! is an error that names the file, the line and column, and what was expected.
//!
//! # Where it is looked for
//!
//! [`Config::load`] (and [`current`], which loads once per process) reads
//!
//! 1. the file named by the `QUERY_GUARD_CONFIG` environment variable, if it is set (the file
//!    must then exist);
//! 2. otherwise the nearest `query-guard.toml` in the package directory (`CARGO_MANIFEST_DIR`,
//!    which cargo sets for tests and `cargo run`) or, without it, the current directory, or in
//!    one of their ancestors: put the file at the root of a workspace and every package finds it;
//! 3. otherwise nothing: the built-in defaults apply.
//!
//! Then the `QUERY_GUARD_*` environment variables ([`Config::with_env`]) override what the file
//! says. `QUERY_GUARD_SQLX_LEVEL` (read when a scope opens) and `QUERY_GUARD` (read by
//! [`crate::Mode::resolve`]) are separate and unchanged.
//!
//! # Precedence
//!
//! For every setting, first match wins:
//!
//! 1. `QUERY_GUARD=panic|warn|off` forces the mode of every scope, explicit ones included;
//! 2. the `QUERY_GUARD_*` environment variables;
//! 3. the scope's own settings (`#[query_budget(…)]`, [`crate::ScopeBuilder`]);
//! 4. `query-guard.toml`;
//! 5. the built-in defaults.
//!
//! # The file
//!
//! Every key, with its default in the comment above it (`docs/configuration.md` in the
//! repository describes each one in full):
//!
//! ```
//! use std::path::Path;
//! use std::time::Duration;
//! use query_guard::config::{AllowKind, Config, Preset};
//! use query_guard::Mode;
//!
//! let text = r#"
//! ## query-guard.toml, at the root of the workspace. Every key is optional.
//!
//! ## What a scope that breaks its budget does outside tests: "panic", "warn" or "off".
//! ## Default "warn". Environment: QUERY_GUARD_MODE.
//! mode = "warn"
//! ## The same for tests (`cfg(test)` code and `query_guard::capture`). Default "panic".
//! ## Environment: QUERY_GUARD_TEST_MODE.
//! test_mode = "panic"
//!
//! ## How many runs of one statement shape in a scope make an N+1 (at least 2). Default 3.
//! n_plus_one_threshold = 3
//! ## Fail the scope on an N+1, instead of only reporting it. Default false.
//! deny_n_plus_one = false
//!
//! ## Report statements slower than this many milliseconds (fractions allowed). Default: none.
//! slow_ms = 250
//! ## Fail the scope on a slow statement, instead of only reporting it. Default false.
//! deny_slow = false
//!
//! ## Count BEGIN / COMMIT / ROLLBACK / SAVEPOINT in budgets. Default false.
//! include_transactions = false
//! ## Count the driver's own catalog and migration look-ups in budgets. Default false.
//! include_internal = false
//! ## Show the values bound to statements in reports; they can be secrets. Default false.
//! show_values = false
//! ## The database of statements that do not say which it is (sqlx's events do not):
//! ## "postgres", "mysql" (or "mariadb") or "sqlite". Quoted text is then read exactly as that
//! ## database reads it; without it, whatever any database could read as a value is masked.
//! ## Default: unknown. Environment: QUERY_GUARD_DIALECT.
//! dialect = "postgres"
//!
//! ## Capture a backtrace per statement to find the code that ran it. Default false.
//! backtrace = true
//! ## Crates to step over, besides query-guard's own list, when looking for that code
//! ## (prefixes of crate names). Default: none.
//! backtrace_skip = ["app_db", "sea_orm"]
//!
//! ## Statements a scope stores; past that it only counts and aggregates (at least 1).
//! ## Default 10000.
//! max_stored = 10000
//!
//! ## Write one JSON report file per scope. Default false.
//! reports = true
//! ## Where, relative to this file. Default "target/query-guard".
//! report_dir = "target/query-guard"
//!
//! ## Statements never counted and never reported as findings: a fingerprint (16 hex
//! ## characters), a /regex/ on the normalised SQL, or SQL text. Default: none.
//! ignore = [
//!     '/^SELECT \$1$/',
//!     "UPDATE sessions SET last_seen = ?",
//!     "3f2a9c0d11b4e7a8",
//! ]
//!
//! ## Budgets `#[query_budget(NAME)]` can name: a number (the total) or a table.
//! ## Built in: list = 10, detail = 5; these entries replace or add to them.
//! [presets]
//! list = 20
//! admin = { max = 40, max_reads = 35, max_writes = 5 }
//!
//! ## Findings accepted on purpose. Each takes one of `n_plus_one` or `over_budget` (a
//! ## pattern, as in `ignore`), a `reason` shown in reports, and optionally `scope`, a
//! ## glob on scope names (`*` stands for anything); without it the allowance applies
//! ## everywhere.
//! [[allow]]
//! n_plus_one = "SELECT * FROM tags WHERE post_id = ?"
//! reason = "at most five tags per post; batching them is planned"
//! scope = "api::posts::*"
//!
//! [[allow]]
//! over_budget = "/^INSERT INTO audit_log/"
//! reason = "every request writes one audit row, on purpose"
//! "#;
//!
//! let config = Config::from_toml_str(text, Path::new("/srv/app/query-guard.toml")).unwrap();
//! assert_eq!(config.mode, Some(Mode::Warn));
//! assert_eq!(config.test_mode, Some(Mode::Panic));
//! assert_eq!(config.n_plus_one_threshold, Some(3));
//! assert_eq!(config.slow, Some(Duration::from_millis(250)));
//! assert_eq!(config.backtrace_skip, ["app_db", "sea_orm"]);
//! assert_eq!(config.report_dir.as_deref(), Some(Path::new("/srv/app/target/query-guard")));
//!
//! assert_eq!(config.preset("list").unwrap().max, Some(20));
//! assert_eq!(config.preset("detail").unwrap().max, Some(5));
//! assert_eq!(
//!     config.preset("admin"),
//!     Some(Preset { max: Some(40), max_reads: Some(35), max_writes: Some(5) })
//! );
//!
//! assert!(config.ignores("0000000000000000", "SELECT $1"));
//! assert!(config.ignores("3f2a9c0d11b4e7a8", "SELECT * FROM users"));
//! assert!(!config.ignores("0000000000000000", "SELECT * FROM users"));
//!
//! let kinds = |scope| config.allowances_for(scope).map(|a| a.kind).collect::<Vec<_>>();
//! assert_eq!(kinds("api::posts::list"), [AllowKind::NPlusOne, AllowKind::OverBudget]);
//! assert_eq!(kinds("jobs::cleanup"), [AllowKind::OverBudget]);
//! ```
//!
//! Patterns are written as described in [`crate::Pattern`].

mod env;
mod file;
mod shared;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use crate::fingerprint::Dialect;
use crate::mode::Mode;
use crate::pattern::{Pattern, glob_match};

/// The name of the configuration file.
const FILE_NAME: &str = "query-guard.toml";

/// The built-in presets, which `[presets]` can redefine.
const BUILT_IN_PRESETS: [(&str, Preset); 2] = [
    (
        "list",
        Preset {
            max: Some(10),
            max_reads: None,
            max_writes: None,
        },
    ),
    (
        "detail",
        Preset {
            max: Some(5),
            max_reads: None,
            max_writes: None,
        },
    ),
];

/// Settings from query-guard.toml and `QUERY_GUARD_*` environment variables.
///
/// Every field is `None` (or empty) when neither the file nor the environment sets it; the
/// built-in default then applies. See the [module docs](self) for where the file is found and
/// which source wins.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// Key `mode`, variable `QUERY_GUARD_MODE`: what a scope that breaks its budget does
    /// outside tests (default [`Mode::Warn`]).
    pub mode: Option<Mode>,
    /// Key `test_mode`, variable `QUERY_GUARD_TEST_MODE`: the same in tests (default
    /// [`Mode::Panic`]).
    pub test_mode: Option<Mode>,
    /// Key `n_plus_one_threshold`, variable `QUERY_GUARD_N_PLUS_ONE_THRESHOLD`: how many runs of
    /// one statement shape make an N+1; at least 2 (default
    /// [`crate::DEFAULT_N_PLUS_ONE_THRESHOLD`]).
    pub n_plus_one_threshold: Option<usize>,
    /// Key `deny_n_plus_one`, variable `QUERY_GUARD_DENY_N_PLUS_ONE`: an N+1 fails the scope
    /// (default: reported only).
    pub deny_n_plus_one: Option<bool>,
    /// Key `slow_ms`, variable `QUERY_GUARD_SLOW_MS`: statements slower than this are reported as
    /// slow (default: none are).
    pub slow: Option<Duration>,
    /// Key `deny_slow`, variable `QUERY_GUARD_DENY_SLOW`: a slow statement fails the scope
    /// (default: reported only).
    pub deny_slow: Option<bool>,
    /// Key `include_transactions`, variable `QUERY_GUARD_INCLUDE_TRANSACTIONS`: count transaction
    /// control statements in budgets (default: not counted).
    pub include_transactions: Option<bool>,
    /// Key `include_internal`, variable `QUERY_GUARD_INCLUDE_INTERNAL`: count the driver's own
    /// catalog and migration look-ups in budgets (default: not counted).
    pub include_internal: Option<bool>,
    /// Key `show_values`, variable `QUERY_GUARD_SHOW_VALUES`: show bound values in reports
    /// (default: hidden, they can be secrets).
    pub show_values: Option<bool>,
    /// Key `dialect`, variable `QUERY_GUARD_DIALECT`: the database of statements whose source
    /// does not say (sqlx's events do not), `postgres`, `mysql` / `mariadb` or `sqlite` (default:
    /// unknown, so quoted text any database could read as a value is masked). A statement's own
    /// `db.system`, an enclosing span's, and sqlx's SQLite worker thread still win.
    pub dialect: Option<Dialect>,
    /// Key `backtrace`, variable `QUERY_GUARD_BACKTRACE`: capture a backtrace per statement to find
    /// its call site (default: off).
    pub backtrace: Option<bool>,
    /// Key `backtrace_skip`: extra crate-name prefixes to skip when looking for the call site.
    pub backtrace_skip: Vec<String>,
    /// Key `max_stored`, variable `QUERY_GUARD_MAX_STORED`: statements stored per scope before
    /// the rest are only aggregated; at least 1 (default
    /// [`crate::MAX_STORED_STATEMENTS`]).
    pub max_stored: Option<usize>,
    /// Key `reports`, variable `QUERY_GUARD_REPORTS`: write one JSON report file per scope (from
    /// the file: in tests and programs cargo runs only; from the variable: every scope)
    /// (default: off).
    pub reports: Option<bool>,
    /// Key `report_dir`, variable `QUERY_GUARD_REPORT_DIR`: where report files go (default
    /// `target/query-guard`). A relative path in the file is resolved against the file's
    /// directory, one in the variable against the current directory; setting the variable also
    /// turns reports on.
    pub report_dir: Option<PathBuf>,
    /// Table `[presets]`: named budgets, `name = 10` or
    /// `name = { max = 10, max_reads = 8, max_writes = 2 }`. See [`Config::preset`].
    pub presets: BTreeMap<String, Preset>,
    /// Key `ignore`: statements matching one of these patterns are not counted and are never
    /// findings. See [`Config::ignores`].
    pub ignore: Vec<Pattern>,
    /// Tables `[[allow]]`: findings accepted on purpose. See [`Config::allowances_for`].
    pub allow: Vec<Allowance>,
    /// The file the settings were read from, if any (not a key).
    pub source: Option<PathBuf>,
}

/// A named budget from `[presets]` (or a built-in one), for `#[query_budget(NAME)]`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Preset {
    /// At most this many counted statements in all.
    pub max: Option<usize>,
    /// At most this many reads.
    pub max_reads: Option<usize>,
    /// At most this many writes.
    pub max_writes: Option<usize>,
}

/// One `[[allow]]` table: a finding accepted on purpose, with the reason.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Allowance {
    /// What is allowed: the key the pattern was given under.
    pub kind: AllowKind,
    /// The statement shapes it covers.
    pub pattern: Pattern,
    /// Why it is acceptable; shown in reports. Never empty.
    pub reason: String,
    /// A glob on scope names (`*` stands for any run of characters); `None` means every scope.
    pub scope: Option<String>,
}

pub use crate::allow::AllowKind;

/// Why the configuration could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read the query-guard configuration file {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// The file is not valid TOML, or a key or value in it is not valid.
    #[error(
        "invalid query-guard configuration at {}:{line}:{column}: {message}",
        file.display()
    )]
    Parse {
        /// The file (the `origin` given to [`Config::from_toml_str`]).
        file: PathBuf,
        /// The line, from 1.
        line: usize,
        /// The column, in characters, from 1.
        column: usize,
        /// What is wrong and what was expected.
        message: String,
    },
    /// An environment variable has a value that cannot be used.
    #[error("invalid value {value:?} for {name}: expected {expected}")]
    InvalidValue {
        /// The environment variable.
        name: String,
        /// Its value.
        value: String,
        /// What it should be.
        expected: String,
    },
}

impl Config {
    /// Reads the text of a configuration file. `origin` is the file's path: errors name it, and
    /// a relative `report_dir` is resolved against its directory. It becomes
    /// [`Config::source`].
    ///
    /// ```
    /// use std::path::Path;
    /// use query_guard::config::Config;
    ///
    /// let err = Config::from_toml_str("mode = \"warn\"\nmod = 1\n", Path::new("query-guard.toml"))
    ///     .unwrap_err()
    ///     .to_string();
    /// assert!(err.starts_with("invalid query-guard configuration at query-guard.toml:2:1: unknown field `mod`"), "{err}");
    /// ```
    pub fn from_toml_str(text: &str, origin: &Path) -> Result<Config, ConfigError> {
        file::read(text, origin)
    }

    /// Reads a configuration file.
    pub fn load_from(path: &Path) -> Result<Config, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Config::from_toml_str(&text, path)
    }

    /// The nearest `query-guard.toml` in `start` or one of its ancestors.
    pub fn find(start: &Path) -> Option<PathBuf> {
        let start = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        start
            .ancestors()
            .map(|dir| dir.join(FILE_NAME))
            .find(|candidate| candidate.is_file())
    }

    /// Applies the `QUERY_GUARD_*` environment variables, which win over the file. `var` looks a
    /// variable up (`|name| std::env::var(name).ok()` for the real environment).
    ///
    /// | Variable | Sets |
    /// |---|---|
    /// | `QUERY_GUARD_MODE` | [`Config::mode`] |
    /// | `QUERY_GUARD_TEST_MODE` | [`Config::test_mode`] |
    /// | `QUERY_GUARD_N_PLUS_ONE_THRESHOLD` | [`Config::n_plus_one_threshold`] |
    /// | `QUERY_GUARD_DENY_N_PLUS_ONE` | [`Config::deny_n_plus_one`] |
    /// | `QUERY_GUARD_SLOW_MS` | [`Config::slow`] |
    /// | `QUERY_GUARD_DENY_SLOW` | [`Config::deny_slow`] |
    /// | `QUERY_GUARD_INCLUDE_TRANSACTIONS` | [`Config::include_transactions`] |
    /// | `QUERY_GUARD_INCLUDE_INTERNAL` | [`Config::include_internal`] |
    /// | `QUERY_GUARD_SHOW_VALUES` | [`Config::show_values`] |
    /// | `QUERY_GUARD_DIALECT` | [`Config::dialect`] |
    /// | `QUERY_GUARD_BACKTRACE` | [`Config::backtrace`] |
    /// | `QUERY_GUARD_MAX_STORED` | [`Config::max_stored`] |
    /// | `QUERY_GUARD_REPORTS` | [`Config::reports`] |
    /// | `QUERY_GUARD_REPORT_DIR` | [`Config::report_dir`] (relative to the current directory), and [`Config::reports`] unless `QUERY_GUARD_REPORTS` is set |
    ///
    /// Booleans accept `1`, `0`, `true`, `false`, `yes`, `no`, `on`, `off` in any case. Empty
    /// (or blank) values are ignored.
    ///
    /// ```
    /// use query_guard::config::Config;
    /// use query_guard::Mode;
    ///
    /// let env = |name: &str| match name {
    ///     "QUERY_GUARD_MODE" => Some("off".to_owned()),
    ///     "QUERY_GUARD_DENY_N_PLUS_ONE" => Some("yes".to_owned()),
    ///     _ => None,
    /// };
    /// let config = Config::default().with_env(env).unwrap();
    /// assert_eq!(config.mode, Some(Mode::Off));
    /// assert_eq!(config.deny_n_plus_one, Some(true));
    ///
    /// let err = Config::default()
    ///     .with_env(|name| (name == "QUERY_GUARD_MAX_STORED").then(|| "lots".to_owned()))
    ///     .unwrap_err();
    /// assert_eq!(
    ///     err.to_string(),
    ///     "invalid value \"lots\" for QUERY_GUARD_MAX_STORED: expected a whole number of at least 1"
    /// );
    /// ```
    pub fn with_env(self, var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        env::apply(self, &var)
    }

    /// Loads the configuration of this process: the file (see the [module docs](self) for where
    /// it is looked for; none means the built-in defaults), then the environment.
    pub fn load() -> Result<Config, ConfigError> {
        Config::load_with(&|name| std::env::var(name).ok())
    }

    fn load_with(var: &dyn Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let set = |name: &str| var(name).filter(|value| !value.trim().is_empty());
        let file = match set("QUERY_GUARD_CONFIG") {
            Some(path) => {
                let path = PathBuf::from(path.trim());
                Some(std::path::absolute(&path).unwrap_or(path))
            }
            None => set("CARGO_MANIFEST_DIR")
                .map(PathBuf::from)
                .or_else(|| std::env::current_dir().ok())
                .and_then(|dir| Config::find(&dir)),
        };
        let config = match file {
            Some(path) => Config::load_from(&path)?,
            None => Config::default(),
        };
        config.with_env(var)
    }

    /// The preset called `name`: from `[presets]`, else the built-in `list` (at most 10
    /// statements) or `detail` (at most 5).
    pub fn preset(&self, name: &str) -> Option<Preset> {
        self.presets.get(name).copied().or_else(|| {
            BUILT_IN_PRESETS
                .iter()
                .find(|(built_in, _)| *built_in == name)
                .map(|&(_, preset)| preset)
        })
    }

    /// Whether a statement shape, given by its fingerprint (16 hex characters) and normalised
    /// SQL, matches one of the `ignore` patterns.
    pub fn ignores(&self, fingerprint_hex: &str, normalized: &str) -> bool {
        self.ignore
            .iter()
            .any(|pattern| pattern.matches(fingerprint_hex, normalized))
    }

    /// The allowances that apply in the scope called `scope`: those without a `scope` glob, and
    /// those whose glob matches the name.
    pub fn allowances_for<'a>(&'a self, scope: &'a str) -> impl Iterator<Item = &'a Allowance> {
        self.allow.iter().filter(move |allowance| {
            allowance
                .scope
                .as_deref()
                .is_none_or(|glob| glob_match(glob, scope))
        })
    }
}

/// The configuration of this process, loaded by [`Config::load`] on first use.
pub fn current() -> Result<&'static Config, &'static ConfigError> {
    static CURRENT: OnceLock<Result<Config, ConfigError>> = OnceLock::new();
    CURRENT.get_or_init(Config::load).as_ref()
}

/// The settings the `QUERY_GUARD_*` variables alone give (no file), read once per process: they
/// win over a scope's own settings, which win over the file. An invalid variable is reported by
/// [`current`]; here it leaves every setting unset.
pub(crate) fn environment() -> &'static Config {
    static ENV: OnceLock<Config> = OnceLock::new();
    ENV.get_or_init(|| {
        Config::default()
            .with_env(|name| std::env::var(name).ok())
            .unwrap_or_default()
    })
}

impl Mode {
    /// Resolves the mode of a scope: `QUERY_GUARD` first, then `QUERY_GUARD_TEST_MODE` (test
    /// scopes) or `QUERY_GUARD_MODE` (others), then the scope's own setting, then `test_mode` /
    /// `mode` in `query-guard.toml`, then the default for tests (`Panic`) or not (`Warn`).
    pub fn resolve(explicit: Option<Mode>, in_test: bool) -> Mode {
        let of = |config: &Config| {
            if in_test {
                config.test_mode
            } else {
                config.mode
            }
        };
        Mode::from_env()
            .or_else(|| of(environment()))
            .or(explicit)
            .or_else(|| current().ok().and_then(of))
            .unwrap_or(if in_test { Mode::Panic } else { Mode::Warn })
    }
}

#[cfg(test)]
mod tests;
