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
//! says. `QUERY_GUARD_SQLX_LEVEL` (read by [`crate::scope`]) and `QUERY_GUARD` (read by
//! [`crate::mode`]) are separate and unchanged.
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
//! Patterns are written as described in [`crate::pattern`].

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::{Spanned, Value};

use crate::fingerprint::_support::line_column;
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

const MODE_EXPECTED: &str = "`panic`, `warn` or `off`";
const MILLIS_EXPECTED: &str = "a number of milliseconds greater than 0, such as 250 or 0.5";
const ENV_BOOL_EXPECTED: &str = "one of 1, 0, true, false, yes, no, on, off";

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
    /// [`crate::scope::MAX_STORED_STATEMENTS`]).
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
        let file = FileReader { text, origin };
        let raw: RawConfig = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |span| span.start);
            file.error_at(offset, e.message().to_owned())
        })?;
        file.config(raw)
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
    pub fn with_env(mut self, var: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let env = EnvReader { var: &var };
        if let Some(mode) = env.mode("QUERY_GUARD_MODE")? {
            self.mode = Some(mode);
        }
        if let Some(mode) = env.mode("QUERY_GUARD_TEST_MODE")? {
            self.test_mode = Some(mode);
        }
        if let Some(n) = env.count("QUERY_GUARD_N_PLUS_ONE_THRESHOLD", 2)? {
            self.n_plus_one_threshold = Some(n);
        }
        if let Some(yes) = env.flag("QUERY_GUARD_DENY_N_PLUS_ONE")? {
            self.deny_n_plus_one = Some(yes);
        }
        if let Some(slow) = env.millis("QUERY_GUARD_SLOW_MS")? {
            self.slow = Some(slow);
        }
        if let Some(yes) = env.flag("QUERY_GUARD_DENY_SLOW")? {
            self.deny_slow = Some(yes);
        }
        if let Some(yes) = env.flag("QUERY_GUARD_INCLUDE_TRANSACTIONS")? {
            self.include_transactions = Some(yes);
        }
        if let Some(yes) = env.flag("QUERY_GUARD_INCLUDE_INTERNAL")? {
            self.include_internal = Some(yes);
        }
        if let Some(yes) = env.flag("QUERY_GUARD_SHOW_VALUES")? {
            self.show_values = Some(yes);
        }
        if let Some(d) = env.dialect("QUERY_GUARD_DIALECT")? {
            self.dialect = Some(d);
        }
        if let Some(yes) = env.flag("QUERY_GUARD_BACKTRACE")? {
            self.backtrace = Some(yes);
        }
        if let Some(n) = env.count("QUERY_GUARD_MAX_STORED", 1)? {
            self.max_stored = Some(n);
        }
        let reports = env.flag("QUERY_GUARD_REPORTS")?;
        if let Some(dir) = env.get("QUERY_GUARD_REPORT_DIR") {
            let dir = PathBuf::from(dir);
            self.report_dir = Some(std::path::absolute(&dir).unwrap_or(dir));
            self.reports = Some(true);
        }
        if let Some(yes) = reports {
            self.reports = Some(yes);
        }
        Ok(self)
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

// ---------------------------------------------------------------------------------------------
// The file

/// The file as TOML gives it: every value with its position, checked by [`FileReader`] so that
/// errors can name the key, the position and what was expected.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    mode: Option<Spanned<Value>>,
    test_mode: Option<Spanned<Value>>,
    n_plus_one_threshold: Option<Spanned<Value>>,
    deny_n_plus_one: Option<Spanned<Value>>,
    slow_ms: Option<Spanned<Value>>,
    deny_slow: Option<Spanned<Value>>,
    include_transactions: Option<Spanned<Value>>,
    include_internal: Option<Spanned<Value>>,
    show_values: Option<Spanned<Value>>,
    dialect: Option<Spanned<Value>>,
    backtrace: Option<Spanned<Value>>,
    backtrace_skip: Option<Spanned<Compound<Value>>>,
    max_stored: Option<Spanned<Value>>,
    reports: Option<Spanned<Value>>,
    report_dir: Option<Spanned<Value>>,
    presets: Option<Spanned<Compound<Value>>>,
    ignore: Option<Spanned<Compound<Value>>>,
    allow: Option<Spanned<Compound<RawAllow>>>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAllow {
    n_plus_one: Option<Spanned<Value>>,
    over_budget: Option<Spanned<Value>>,
    reason: Option<Spanned<Value>>,
    scope: Option<Spanned<Value>>,
}

/// An array or a table whose items keep their positions, or a description of whatever else was
/// written instead.
enum Compound<T> {
    Array(Vec<Spanned<T>>),
    Table(Vec<(String, Spanned<T>)>),
    Other(String),
}

impl<'de, T: serde::Deserialize<'de>> serde::Deserialize<'de> for Compound<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(CompoundVisitor(PhantomData))
    }
}

struct CompoundVisitor<T>(PhantomData<T>);

impl<'de, T: serde::Deserialize<'de>> Visitor<'de> for CompoundVisitor<T> {
    type Value = Compound<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array or a table")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Compound::Other(describe(&Value::Boolean(v))))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Compound::Other(describe(&Value::Integer(v))))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Compound::Other(format!("the integer {v}")))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Compound::Other(describe(&Value::Float(v))))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Compound::Other(describe(&Value::String(v.to_owned()))))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Compound::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            if key.starts_with("$__toml_private") {
                // How the toml crate hands over a date-time.
                map.next_value::<de::IgnoredAny>()?;
                return Ok(Compound::Other("a date-time".to_owned()));
            }
            entries.push((key, map.next_value()?));
        }
        Ok(Compound::Table(entries))
    }
}

/// Checks the raw file and builds the [`Config`]; knows the text, to turn positions into lines
/// and columns.
struct FileReader<'a> {
    text: &'a str,
    origin: &'a Path,
}

impl FileReader<'_> {
    fn config(&self, raw: RawConfig) -> Result<Config, ConfigError> {
        let RawConfig {
            mode,
            test_mode,
            n_plus_one_threshold,
            deny_n_plus_one,
            slow_ms,
            deny_slow,
            include_transactions,
            include_internal,
            show_values,
            dialect,
            backtrace,
            backtrace_skip,
            max_stored,
            reports,
            report_dir,
            presets,
            ignore,
            allow,
        } = raw;
        let flag =
            |key, value: Option<Spanned<Value>>| value.map(|v| self.flag(key, v)).transpose();
        let mut config = Config {
            mode: mode.map(|v| self.mode("mode", v)).transpose()?,
            test_mode: test_mode.map(|v| self.mode("test_mode", v)).transpose()?,
            n_plus_one_threshold: n_plus_one_threshold
                .map(|v| self.count("n_plus_one_threshold", v, 2))
                .transpose()?,
            deny_n_plus_one: flag("deny_n_plus_one", deny_n_plus_one)?,
            slow: slow_ms.map(|v| self.millis("slow_ms", v)).transpose()?,
            deny_slow: flag("deny_slow", deny_slow)?,
            include_transactions: flag("include_transactions", include_transactions)?,
            include_internal: flag("include_internal", include_internal)?,
            show_values: flag("show_values", show_values)?,
            dialect: dialect.map(|v| self.dialect("dialect", v)).transpose()?,
            backtrace: flag("backtrace", backtrace)?,
            backtrace_skip: Vec::new(),
            max_stored: max_stored
                .map(|v| self.count("max_stored", v, 1))
                .transpose()?,
            reports: flag("reports", reports)?,
            report_dir: None,
            presets: BTreeMap::new(),
            ignore: Vec::new(),
            allow: Vec::new(),
            source: Some(self.origin.to_path_buf()),
        };
        if let Some(list) = backtrace_skip {
            for item in self.array("backtrace_skip", list, "an array of crate names")? {
                let name = self.string("backtrace_skip", item, "a crate name or prefix")?;
                config.backtrace_skip.push(name);
            }
        }
        if let Some(dir) = report_dir {
            let dir = PathBuf::from(self.string("report_dir", dir, "a directory path")?);
            let base = self.origin.parent().unwrap_or(Path::new(""));
            config.report_dir = Some(base.join(dir));
        }
        if let Some(presets) = presets {
            for (name, value) in self.table("presets", presets)? {
                let preset = self.preset(&name, value)?;
                config.presets.insert(name, preset);
            }
        }
        if let Some(list) = ignore {
            for item in self.array("ignore", list, "an array of patterns")? {
                config.ignore.push(self.pattern("ignore", item)?);
            }
        }
        if let Some(list) = allow {
            let expected = "`[[allow]]` tables";
            for item in self.array("allow", list, expected)? {
                config.allow.push(self.allowance(item)?);
            }
        }
        Ok(config)
    }

    fn error_at(&self, offset: usize, message: String) -> ConfigError {
        let (line, column) = line_column(self.text, offset);
        ConfigError::Parse {
            file: self.origin.to_path_buf(),
            line,
            column,
            message,
        }
    }

    fn error(&self, span: &Range<usize>, message: String) -> ConfigError {
        self.error_at(span.start, message)
    }

    fn expected(&self, key: &str, expected: &str, value: &Spanned<Value>) -> ConfigError {
        let found = describe(value.get_ref());
        self.error(
            &value.span(),
            format!("expected {expected} for `{key}`, found {found}"),
        )
    }

    fn mode(&self, key: &str, value: Spanned<Value>) -> Result<Mode, ConfigError> {
        match value.get_ref() {
            Value::String(s) => Mode::parse(s),
            _ => None,
        }
        .ok_or_else(|| self.expected(key, MODE_EXPECTED, &value))
    }

    fn dialect(&self, key: &str, value: Spanned<Value>) -> Result<Dialect, ConfigError> {
        match value.get_ref() {
            Value::String(s) => parse_dialect(s),
            _ => None,
        }
        .ok_or_else(|| self.expected(key, DIALECT_EXPECTED, &value))
    }

    fn flag(&self, key: &str, value: Spanned<Value>) -> Result<bool, ConfigError> {
        match value.get_ref() {
            Value::Boolean(yes) => Ok(*yes),
            _ => Err(self.expected(key, "`true` or `false`", &value)),
        }
    }

    fn count(&self, key: &str, value: Spanned<Value>, min: usize) -> Result<usize, ConfigError> {
        match value.get_ref() {
            Value::Integer(n) => usize::try_from(*n).ok().filter(|n| *n >= min),
            _ => None,
        }
        .ok_or_else(|| self.expected(key, &whole_number(min), &value))
    }

    fn millis(&self, key: &str, value: Spanned<Value>) -> Result<Duration, ConfigError> {
        match value.get_ref() {
            Value::Integer(n) => duration_from_millis(*n as f64),
            Value::Float(ms) => duration_from_millis(*ms),
            _ => None,
        }
        .ok_or_else(|| self.expected(key, MILLIS_EXPECTED, &value))
    }

    fn string(
        &self,
        key: &str,
        value: Spanned<Value>,
        expected: &str,
    ) -> Result<String, ConfigError> {
        match value.get_ref() {
            Value::String(s) if !s.trim().is_empty() => Ok(s.trim().to_owned()),
            _ => Err(self.expected(key, &format!("{expected} (a non-empty string)"), &value)),
        }
    }

    fn pattern(&self, key: &str, value: Spanned<Value>) -> Result<Pattern, ConfigError> {
        let Value::String(text) = value.get_ref() else {
            let expected = "a pattern: a fingerprint (16 hex characters), /regex/ or SQL text";
            return Err(self.expected(key, expected, &value));
        };
        Pattern::parse(text)
            .map_err(|e| self.error(&value.span(), format!("invalid pattern for `{key}`: {e}")))
    }

    fn array<T>(
        &self,
        key: &str,
        value: Spanned<Compound<T>>,
        expected: &str,
    ) -> Result<Vec<Spanned<T>>, ConfigError> {
        let span = value.span();
        let found = match value.into_inner() {
            Compound::Array(items) => return Ok(items),
            Compound::Table(_) => "a table".to_owned(),
            Compound::Other(found) => found,
        };
        let message = format!("expected {expected} for `{key}`, found {found}");
        Err(self.error(&span, message))
    }

    fn table(
        &self,
        key: &str,
        value: Spanned<Compound<Value>>,
    ) -> Result<Vec<(String, Spanned<Value>)>, ConfigError> {
        let span = value.span();
        let found = match value.into_inner() {
            Compound::Table(entries) => return Ok(entries),
            Compound::Array(_) => "an array".to_owned(),
            Compound::Other(found) => found,
        };
        let message = format!("expected a table (`[{key}]`) for `{key}`, found {found}");
        Err(self.error(&span, message))
    }

    fn preset(&self, name: &str, value: Spanned<Value>) -> Result<Preset, ConfigError> {
        let key = format!("presets.{name}");
        let limit = |key: &str, v: &Value| {
            match v {
                Value::Integer(n) => usize::try_from(*n).ok(),
                _ => None,
            }
            .ok_or_else(|| {
                let message = format!(
                    "expected {} for `{key}`, found {}",
                    whole_number(0),
                    describe(v)
                );
                self.error(&value.span(), message)
            })
        };
        match value.get_ref() {
            Value::Integer(_) => Ok(Preset {
                max: Some(limit(&key, value.get_ref())?),
                ..Preset::default()
            }),
            Value::Table(table) => {
                let mut preset = Preset::default();
                for (field, v) in table {
                    let slot = match field.as_str() {
                        "max" => &mut preset.max,
                        "max_reads" => &mut preset.max_reads,
                        "max_writes" => &mut preset.max_writes,
                        _ => {
                            let message = format!(
                                "unknown field `{field}` in `{key}`, expected one of `max`, `max_reads`, `max_writes`"
                            );
                            return Err(self.error(&value.span(), message));
                        }
                    };
                    *slot = Some(limit(&format!("{key}.{field}"), v)?);
                }
                if preset == Preset::default() {
                    let message = format!(
                        "preset `{name}` sets no limit: expected at least one of `max`, `max_reads`, `max_writes`"
                    );
                    return Err(self.error(&value.span(), message));
                }
                Ok(preset)
            }
            _ => {
                let expected = format!(
                    "a number of statements (`{name} = 10`) or a table (`{name} = {{ max = 10, max_reads = 8, max_writes = 2 }}`)"
                );
                Err(self.expected(&key, &expected, &value))
            }
        }
    }

    fn allowance(&self, item: Spanned<RawAllow>) -> Result<Allowance, ConfigError> {
        let span = item.span();
        let RawAllow {
            n_plus_one,
            over_budget,
            reason,
            scope,
        } = item.into_inner();
        let (kind, key, pattern) = match (n_plus_one, over_budget) {
            (Some(p), None) => (AllowKind::NPlusOne, "allow.n_plus_one", p),
            (None, Some(p)) => (AllowKind::OverBudget, "allow.over_budget", p),
            (both_or_neither, _) => {
                let found = if both_or_neither.is_some() {
                    "both"
                } else {
                    "neither"
                };
                let message = format!(
                    "an `[[allow]]` entry takes exactly one of `n_plus_one = \"pattern\"` or `over_budget = \"pattern\"`, found {found}"
                );
                return Err(self.error(&span, message));
            }
        };
        let pattern = self.pattern(key, pattern)?;
        let Some(reason) = reason else {
            let message = format!(
                "the `[[allow]]` entry for `{pattern}` has no `reason`: expected `reason = \"…\"` saying why it is acceptable"
            );
            return Err(self.error(&span, message));
        };
        let reason = self.string("allow.reason", reason, "why this is acceptable")?;
        let scope = scope
            .map(|s| self.string("allow.scope", s, "a scope name or glob such as `api::*`"))
            .transpose()?;
        Ok(Allowance {
            kind,
            pattern,
            reason,
            scope,
        })
    }
}

fn whole_number(min: usize) -> String {
    format!("a whole number of at least {min}")
}

fn duration_from_millis(ms: f64) -> Option<Duration> {
    if ms.is_nan() || ms <= 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(ms / 1000.0)
        .ok()
        .filter(|d| !d.is_zero())
}

/// What was written, for "found …" in messages.
fn describe(value: &Value) -> String {
    match value {
        Value::String(s) => format!("the string {s:?}"),
        Value::Integer(n) => format!("the integer {n}"),
        Value::Float(f) => format!("the number {f}"),
        Value::Boolean(b) => format!("`{b}`"),
        Value::Datetime(d) => format!("the date-time {d}"),
        Value::Array(_) => "an array".to_owned(),
        Value::Table(_) => "a table".to_owned(),
    }
}

// ---------------------------------------------------------------------------------------------
// The environment

struct EnvReader<'a> {
    var: &'a dyn Fn(&str) -> Option<String>,
}

impl EnvReader<'_> {
    /// The value of a variable, trimmed, if it is set and not blank.
    fn get(&self, name: &str) -> Option<String> {
        (self.var)(name)
            .map(|value| value.trim().to_owned())
            .filter(|value| !value.is_empty())
    }

    fn parse<T>(
        &self,
        name: &str,
        expected: &str,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Result<Option<T>, ConfigError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        match parse(&value) {
            Some(parsed) => Ok(Some(parsed)),
            None => Err(ConfigError::InvalidValue {
                name: name.to_owned(),
                value,
                expected: expected.to_owned(),
            }),
        }
    }

    fn mode(&self, name: &str) -> Result<Option<Mode>, ConfigError> {
        self.parse(name, MODE_EXPECTED, Mode::parse)
    }

    fn dialect(&self, name: &str) -> Result<Option<Dialect>, ConfigError> {
        self.parse(name, DIALECT_EXPECTED, parse_dialect)
    }

    fn flag(&self, name: &str) -> Result<Option<bool>, ConfigError> {
        self.parse(name, ENV_BOOL_EXPECTED, |value| {
            match value.to_ascii_lowercase().as_str() {
                "1" | "true" | "yes" | "on" => Some(true),
                "0" | "false" | "no" | "off" => Some(false),
                _ => None,
            }
        })
    }

    fn count(&self, name: &str, min: usize) -> Result<Option<usize>, ConfigError> {
        self.parse(name, &whole_number(min), |value| {
            value.parse::<usize>().ok().filter(|n| *n >= min)
        })
    }

    fn millis(&self, name: &str) -> Result<Option<Duration>, ConfigError> {
        self.parse(name, MILLIS_EXPECTED, |value| {
            value.parse::<f64>().ok().and_then(duration_from_millis)
        })
    }
}

/// What `dialect` accepts.
const DIALECT_EXPECTED: &str = "\"postgres\", \"mysql\", \"mariadb\" or \"sqlite\"";

/// A database name for `dialect` (any case; `postgresql`, `mariadb` and `sqlite3` too).
fn parse_dialect(name: &str) -> Option<Dialect> {
    match Dialect::from_db_system(name) {
        Dialect::Generic => None,
        d => Some(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the file accepts, as written in it.
    const KEYS: [&str; 18] = [
        "mode",
        "test_mode",
        "n_plus_one_threshold",
        "deny_n_plus_one",
        "slow_ms",
        "deny_slow",
        "include_transactions",
        "include_internal",
        "show_values",
        "dialect",
        "backtrace",
        "backtrace_skip",
        "max_stored",
        "reports",
        "report_dir",
        "presets",
        "ignore",
        "allow",
    ];

    /// Every variable [`Config::with_env`] and [`Config::load`] read.
    const VARIABLES: [&str; 15] = [
        "QUERY_GUARD_CONFIG",
        "QUERY_GUARD_MODE",
        "QUERY_GUARD_TEST_MODE",
        "QUERY_GUARD_N_PLUS_ONE_THRESHOLD",
        "QUERY_GUARD_DENY_N_PLUS_ONE",
        "QUERY_GUARD_SLOW_MS",
        "QUERY_GUARD_DENY_SLOW",
        "QUERY_GUARD_INCLUDE_TRANSACTIONS",
        "QUERY_GUARD_INCLUDE_INTERNAL",
        "QUERY_GUARD_SHOW_VALUES",
        "QUERY_GUARD_DIALECT",
        "QUERY_GUARD_BACKTRACE",
        "QUERY_GUARD_MAX_STORED",
        "QUERY_GUARD_REPORTS",
        "QUERY_GUARD_REPORT_DIR",
    ];

    const DOC: &str = include_str!("../../docs/configuration.md");

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::from_toml_str(text, Path::new("/app/query-guard.toml"))
    }

    fn parse_err(text: &str) -> String {
        parse(text).unwrap_err().to_string()
    }

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let pairs: Vec<(String, String)> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        move |name| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.clone())
        }
    }

    /// A directory of its own under the temporary directory, removed when dropped.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(label: &str) -> TempDir {
            use std::sync::atomic::{AtomicUsize, Ordering};
            static NEXT: AtomicUsize = AtomicUsize::new(0);
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos());
            let dir = std::env::temp_dir().join(format!(
                "query-guard-config-{label}-{}-{nanos}-{}",
                std::process::id(),
                NEXT.fetch_add(1, Ordering::Relaxed)
            ));
            std::fs::create_dir_all(&dir).unwrap();
            TempDir(dir)
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn every_key_is_read() {
        let config = parse(
            r#"
            mode = "off"
            test_mode = "WARN"
            n_plus_one_threshold = 4
            deny_n_plus_one = true
            slow_ms = 12.5
            deny_slow = true
            include_transactions = true
            include_internal = true
            show_values = true
            dialect = "MariaDB"
            backtrace = true
            backtrace_skip = ["app_db", " sea_orm "]
            max_stored = 50
            reports = false
            report_dir = "/var/reports"
            ignore = ["SELECT 1", "/^SHOW/", "00000000000000aa"]

            [presets]
            list = 12
            admin = { max_reads = 3, max_writes = 0 }

            [presets.bulk]
            max = 100

            [[allow]]
            n_plus_one = "FROM tags"
            reason = " few tags "
            scope = "api::*"

            [[allow]]
            over_budget = "0123456789abcdef"
            reason = "audit"
            "#,
        )
        .unwrap();
        let expected = Config {
            mode: Some(Mode::Off),
            test_mode: Some(Mode::Warn),
            n_plus_one_threshold: Some(4),
            deny_n_plus_one: Some(true),
            slow: Some(Duration::from_micros(12_500)),
            deny_slow: Some(true),
            include_transactions: Some(true),
            include_internal: Some(true),
            show_values: Some(true),
            dialect: Some(Dialect::MySql),
            backtrace: Some(true),
            backtrace_skip: vec!["app_db".into(), "sea_orm".into()],
            max_stored: Some(50),
            reports: Some(false),
            report_dir: Some(PathBuf::from("/var/reports")),
            presets: BTreeMap::from([
                (
                    "list".to_owned(),
                    Preset {
                        max: Some(12),
                        ..Preset::default()
                    },
                ),
                (
                    "admin".to_owned(),
                    Preset {
                        max: None,
                        max_reads: Some(3),
                        max_writes: Some(0),
                    },
                ),
                (
                    "bulk".to_owned(),
                    Preset {
                        max: Some(100),
                        ..Preset::default()
                    },
                ),
            ]),
            ignore: ["SELECT 1", "/^SHOW/", "00000000000000aa"]
                .map(|p| Pattern::parse(p).unwrap())
                .to_vec(),
            allow: vec![
                Allowance {
                    kind: AllowKind::NPlusOne,
                    pattern: Pattern::parse("FROM tags").unwrap(),
                    reason: "few tags".to_owned(),
                    scope: Some("api::*".to_owned()),
                },
                Allowance {
                    kind: AllowKind::OverBudget,
                    pattern: Pattern::parse("0123456789abcdef").unwrap(),
                    reason: "audit".to_owned(),
                    scope: None,
                },
            ],
            source: Some(PathBuf::from("/app/query-guard.toml")),
        };
        assert_eq!(config, expected);
    }

    #[test]
    fn an_empty_file_sets_nothing() {
        let config = parse("# nothing yet\n").unwrap();
        assert_eq!(
            config,
            Config {
                source: Some(PathBuf::from("/app/query-guard.toml")),
                ..Config::default()
            }
        );
    }

    #[test]
    fn unknown_keys_name_the_key_the_line_and_the_valid_keys() {
        let err = parse("mode = \"warn\"\n\nshow_value = true\n");
        let Err(ConfigError::Parse {
            line,
            column,
            message,
            file,
        }) = err
        else {
            panic!("{err:?}");
        };
        assert_eq!((line, column), (3, 1));
        assert_eq!(file, Path::new("/app/query-guard.toml"));
        assert!(message.contains("unknown field `show_value`"), "{message}");
        for key in KEYS {
            assert!(message.contains(&format!("`{key}`")), "{key}: {message}");
        }

        let err = parse_err("[[allow]]\nn_plus_one = \"x\"\nreason = \"y\"\nscop = \"a\"\n");
        assert!(err.contains("/app/query-guard.toml:4:1"), "{err}");
        assert!(err.contains("unknown field `scop`"), "{err}");
        assert!(err.contains("`scope`"), "{err}");

        let err = parse_err("[presets]\nlist = { max = 1, min = 0 }\n");
        assert!(
            err.contains(":2:8: unknown field `min` in `presets.list`"),
            "{err}"
        );
    }

    #[test]
    fn wrong_types_say_what_was_expected() {
        let cases = [
            (
                "deny_slow = \"yes\"",
                "at /app/query-guard.toml:1:13: expected `true` or `false` for `deny_slow`, found the string \"yes\"",
            ),
            (
                "mode = \"loud\"",
                "expected `panic`, `warn` or `off` for `mode`, found the string \"loud\"",
            ),
            (
                "test_mode = 1",
                "expected `panic`, `warn` or `off` for `test_mode`, found the integer 1",
            ),
            (
                "max_stored = 0",
                "expected a whole number of at least 1 for `max_stored`, found the integer 0",
            ),
            (
                "max_stored = 1.5",
                "expected a whole number of at least 1 for `max_stored`, found the number 1.5",
            ),
            (
                "slow_ms = 0",
                "expected a number of milliseconds greater than 0",
            ),
            ("slow_ms = -3", "found the integer -3"),
            ("slow_ms = nan", "found the number NaN"),
            ("slow_ms = inf", "found the number inf"),
            ("slow_ms = \"1s\"", "found the string \"1s\""),
            (
                "report_dir = \"  \"",
                "expected a directory path (a non-empty string) for `report_dir`",
            ),
            (
                "ignore = \"SELECT 1\"",
                "expected an array of patterns for `ignore`, found the string \"SELECT 1\"",
            ),
            (
                "ignore = [1]",
                "expected a pattern: a fingerprint (16 hex characters), /regex/ or SQL text for `ignore`, found the integer 1",
            ),
            (
                "backtrace_skip = \"x\"",
                "expected an array of crate names for `backtrace_skip`",
            ),
            (
                "backtrace_skip = [\"\"]",
                "expected a crate name or prefix (a non-empty string) for `backtrace_skip`",
            ),
            (
                "presets = 3",
                "expected a table (`[presets]`) for `presets`, found the integer 3",
            ),
            ("presets = []", "found an array"),
            ("presets = 1979-05-27", "found a date-time"),
            (
                "presets = { list = \"ten\" }",
                "or a table (`list = { max = 10, max_reads = 8, max_writes = 2 }`) for `presets.list`, found the string \"ten\"",
            ),
            (
                "presets = { list = -1 }",
                "expected a whole number of at least 0 for `presets.list`, found the integer -1",
            ),
            (
                "presets = { list = { max_writes = true } }",
                "for `presets.list.max_writes`, found `true`",
            ),
            ("presets = { list = {} }", "preset `list` sets no limit"),
            (
                "allow = 1",
                "expected `[[allow]]` tables for `allow`, found the integer 1",
            ),
            ("mode = \"warn\"\nmode = \"off\"", ":2:1: duplicate key"),
            ("mode = ", ":1:8: string values must be quoted"),
        ];
        for (text, expected) in cases {
            let err = parse_err(text);
            assert!(
                err.contains(expected),
                "{text}\n  got: {err}\n  expected: {expected}"
            );
            assert!(
                err.starts_with("invalid query-guard configuration at /app/query-guard.toml:"),
                "{err}"
            );
        }
    }

    #[test]
    fn errors_point_at_the_line_and_column_in_characters() {
        let err =
            parse("# é\nreports = true\n  ignore = [\n  \"a\",\n  \"/(/\",\n]\n").unwrap_err();
        let ConfigError::Parse {
            line,
            column,
            message,
            ..
        } = err
        else {
            panic!("{err:?}");
        };
        assert_eq!((line, column), (5, 3));
        assert!(
            message.starts_with(
                "invalid pattern for `ignore`: invalid regular expression in pattern `/(/`"
            ),
            "{message}"
        );
        assert_eq!(line_column("é\néx", 5), (2, 2));
        assert_eq!(line_column("é\néx", 6), (2, 3));
        assert_eq!(line_column("é", 1), (1, 1));
        assert_eq!(line_column("ab", 99), (1, 3));
    }

    #[test]
    fn the_n_plus_one_threshold_is_at_least_two() {
        for bad in ["0", "1", "-2"] {
            let err = parse_err(&format!("n_plus_one_threshold = {bad}"));
            assert!(
                err.contains(&format!(
                    ":1:24: expected a whole number of at least 2 for `n_plus_one_threshold`, found the integer {bad}"
                )),
                "{err}"
            );
        }
        assert_eq!(
            parse("n_plus_one_threshold = 2")
                .unwrap()
                .n_plus_one_threshold,
            Some(2)
        );
    }

    #[test]
    fn an_allowance_needs_a_reason_and_exactly_one_pattern() {
        let err = parse_err("\n[[allow]]\nn_plus_one = \"FROM tags\"\n");
        assert!(
            err.contains(":2:1: the `[[allow]]` entry for `FROM tags` has no `reason`"),
            "{err}"
        );
        let err = parse_err("[[allow]]\nn_plus_one = \"FROM tags\"\nreason = \" \"\n");
        assert!(
            err.contains(
                ":3:10: expected why this is acceptable (a non-empty string) for `allow.reason`"
            ),
            "{err}"
        );
        let err = parse_err("[[allow]]\nn_plus_one = \"a\"\nover_budget = \"b\"\nreason = \"r\"\n");
        assert!(err.contains(":1:1: an `[[allow]]` entry takes exactly one of `n_plus_one = \"pattern\"` or `over_budget = \"pattern\"`, found both"), "{err}");
        let err = parse_err("[[allow]]\nreason = \"r\"\n");
        assert!(err.contains("found neither"), "{err}");
        let err = parse_err("allow = [{ over_budget = \"/[/\", reason = \"r\" }]");
        assert!(
            err.contains(":1:26: invalid pattern for `allow.over_budget`"),
            "{err}"
        );
        let err = parse_err("[[allow]]\nover_budget = \"x\"\nreason = \"r\"\nscope = 3\n");
        assert!(
            err.contains("for `allow.scope`, found the integer 3"),
            "{err}"
        );
    }

    #[test]
    fn relative_report_dirs_are_resolved_against_the_file() {
        let at = |origin: &str, dir: &str| {
            Config::from_toml_str(&format!("report_dir = {dir:?}"), Path::new(origin))
                .unwrap()
                .report_dir
                .unwrap()
        };
        assert_eq!(
            at("/app/query-guard.toml", "target/qg"),
            Path::new("/app/target/qg")
        );
        assert_eq!(at("/app/query-guard.toml", "/abs/qg"), Path::new("/abs/qg"));
        assert_eq!(at("query-guard.toml", "qg"), Path::new("qg"));
        assert_eq!(
            at("conf/query-guard.toml", "../qg"),
            Path::new("conf/../qg")
        );
    }

    #[test]
    fn the_environment_wins_over_the_file() {
        let file = parse(
            "mode = \"warn\"\ntest_mode = \"warn\"\nn_plus_one_threshold = 3\nslow_ms = 100\n\
             show_values = false\nmax_stored = 10\nreports = false\nreport_dir = \"/app/r\"\n\
             backtrace = false\ndeny_slow = false\n",
        )
        .unwrap();
        let config = file
            .clone()
            .with_env(env(&[
                ("QUERY_GUARD_MODE", "Panic"),
                ("QUERY_GUARD_TEST_MODE", " off "),
                ("QUERY_GUARD_N_PLUS_ONE_THRESHOLD", "5"),
                ("QUERY_GUARD_DENY_N_PLUS_ONE", "ON"),
                ("QUERY_GUARD_SLOW_MS", "0.25"),
                ("QUERY_GUARD_DENY_SLOW", "1"),
                ("QUERY_GUARD_INCLUDE_TRANSACTIONS", "yes"),
                ("QUERY_GUARD_INCLUDE_INTERNAL", "TRUE"),
                ("QUERY_GUARD_SHOW_VALUES", "true"),
                ("QUERY_GUARD_BACKTRACE", "on"),
                ("QUERY_GUARD_MAX_STORED", "7"),
                ("QUERY_GUARD_REPORT_DIR", "/tmp/qg-reports"),
            ]))
            .unwrap();
        assert_eq!(config.mode, Some(Mode::Panic));
        assert_eq!(config.test_mode, Some(Mode::Off));
        assert_eq!(config.n_plus_one_threshold, Some(5));
        assert_eq!(config.deny_n_plus_one, Some(true));
        assert_eq!(config.slow, Some(Duration::from_micros(250)));
        assert_eq!(config.deny_slow, Some(true));
        assert_eq!(config.include_transactions, Some(true));
        assert_eq!(config.include_internal, Some(true));
        assert_eq!(config.show_values, Some(true));
        assert_eq!(config.backtrace, Some(true));
        assert_eq!(config.max_stored, Some(7));
        assert_eq!(
            config.report_dir.as_deref(),
            Some(Path::new("/tmp/qg-reports"))
        );
        assert_eq!(
            config.reports,
            Some(true),
            "QUERY_GUARD_REPORT_DIR turns reports on"
        );
        assert_eq!(config.source, file.source);

        // Unset and blank variables change nothing.
        let same = file
            .clone()
            .with_env(env(&[("QUERY_GUARD_MODE", " ")]))
            .unwrap();
        assert_eq!(same, file);

        // An explicit QUERY_GUARD_REPORTS wins over the one QUERY_GUARD_REPORT_DIR implies.
        let off = Config::default()
            .with_env(env(&[
                ("QUERY_GUARD_REPORT_DIR", "reports"),
                ("QUERY_GUARD_REPORTS", "no"),
            ]))
            .unwrap();
        assert_eq!(off.reports, Some(false));
        let dir = off.report_dir.unwrap();
        assert!(dir.is_absolute() && dir.ends_with("reports"), "{dir:?}");
        assert_eq!(
            Config::default()
                .with_env(env(&[("QUERY_GUARD_REPORTS", "0")]))
                .unwrap()
                .reports,
            Some(false)
        );
    }

    #[test]
    fn invalid_environment_values_name_the_variable_the_value_and_what_was_expected() {
        let cases = [
            (
                "QUERY_GUARD_MODE",
                "loud",
                "expected `panic`, `warn` or `off`",
            ),
            (
                "QUERY_GUARD_TEST_MODE",
                "1",
                "expected `panic`, `warn` or `off`",
            ),
            (
                "QUERY_GUARD_N_PLUS_ONE_THRESHOLD",
                "1",
                "expected a whole number of at least 2",
            ),
            (
                "QUERY_GUARD_MAX_STORED",
                "-4",
                "expected a whole number of at least 1",
            ),
            (
                "QUERY_GUARD_SLOW_MS",
                "1s",
                "expected a number of milliseconds greater than 0, such as 250 or 0.5",
            ),
            (
                "QUERY_GUARD_SLOW_MS",
                "-1",
                "expected a number of milliseconds greater than 0, such as 250 or 0.5",
            ),
            (
                "QUERY_GUARD_SLOW_MS",
                "NaN",
                "expected a number of milliseconds greater than 0, such as 250 or 0.5",
            ),
            (
                "QUERY_GUARD_SLOW_MS",
                "inf",
                "expected a number of milliseconds greater than 0, such as 250 or 0.5",
            ),
            (
                "QUERY_GUARD_DENY_SLOW",
                "maybe",
                "expected one of 1, 0, true, false, yes, no, on, off",
            ),
            (
                "QUERY_GUARD_REPORTS",
                "2",
                "expected one of 1, 0, true, false, yes, no, on, off",
            ),
        ];
        for (name, value, expected) in cases {
            let err = Config::default()
                .with_env(env(&[(name, value)]))
                .unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("invalid value {value:?} for {name}: {expected}"),
            );
            assert!(
                matches!(&err, ConfigError::InvalidValue { name: n, value: v, .. } if n == name && v == value),
                "{err:?}"
            );
        }
    }

    #[test]
    fn find_walks_up_to_the_nearest_file() {
        let root = TempDir::new("find");
        let deep = root.0.join("a").join("b").join("c");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(root.0.join(FILE_NAME), "").unwrap();
        assert_eq!(Config::find(&deep), Some(root.0.join(FILE_NAME)));
        assert_eq!(Config::find(&root.0), Some(root.0.join(FILE_NAME)));

        let nearer = root.0.join("a").join(FILE_NAME);
        std::fs::write(&nearer, "").unwrap();
        assert_eq!(Config::find(&deep), Some(nearer.clone()));

        // A directory with the file's name is not the file.
        std::fs::create_dir(deep.join(FILE_NAME)).unwrap();
        assert_eq!(Config::find(&deep), Some(nearer));
    }

    #[test]
    fn load_reads_the_file_cargo_points_at_then_the_environment() {
        let root = TempDir::new("load");
        let package = root.0.join("crates").join("app");
        std::fs::create_dir_all(&package).unwrap();
        std::fs::write(
            root.0.join(FILE_NAME),
            "mode = \"off\"\nreport_dir = \"out\"\n",
        )
        .unwrap();
        let manifest_dir = package.to_string_lossy().into_owned();

        let config = Config::load_with(&env(&[("CARGO_MANIFEST_DIR", &manifest_dir)])).unwrap();
        assert_eq!(config.mode, Some(Mode::Off));
        assert_eq!(config.source, Some(root.0.join(FILE_NAME)));
        assert_eq!(config.report_dir, Some(root.0.join("out")));

        let config = Config::load_with(&env(&[
            ("CARGO_MANIFEST_DIR", &manifest_dir),
            ("QUERY_GUARD_MODE", "panic"),
        ]))
        .unwrap();
        assert_eq!(config.mode, Some(Mode::Panic));

        // QUERY_GUARD_CONFIG names the file; then it must exist.
        let other = root.0.join("other.toml");
        std::fs::write(&other, "max_stored = 3\n").unwrap();
        let config = Config::load_with(&env(&[
            ("CARGO_MANIFEST_DIR", &manifest_dir),
            ("QUERY_GUARD_CONFIG", &other.to_string_lossy()),
        ]))
        .unwrap();
        assert_eq!((config.mode, config.max_stored), (None, Some(3)));

        let missing = root.0.join("missing.toml");
        let err = Config::load_with(&env(&[("QUERY_GUARD_CONFIG", &missing.to_string_lossy())]))
            .unwrap_err();
        assert!(
            matches!(err, ConfigError::Io { ref path, .. } if *path == missing),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with(&format!(
                "cannot read the query-guard configuration file {}: ",
                missing.display()
            )),
            "{message}"
        );

        // A broken file is an error, not the defaults.
        std::fs::write(root.0.join(FILE_NAME), "mode = 3\n").unwrap();
        let err = Config::load_with(&env(&[("CARGO_MANIFEST_DIR", &manifest_dir)])).unwrap_err();
        assert!(err.to_string().contains(":1:8: expected `panic`"), "{err}");
    }

    #[test]
    fn presets_override_the_built_in_ones() {
        let defaults = Config::default();
        assert_eq!(defaults.preset("list").unwrap().max, Some(10));
        assert_eq!(defaults.preset("detail").unwrap().max, Some(5));
        assert_eq!(defaults.preset("admin"), None);

        let config = parse("[presets]\nlist = 25\nadmin = { max_writes = 0 }\n").unwrap();
        assert_eq!(
            config.preset("list"),
            Some(Preset {
                max: Some(25),
                ..Preset::default()
            })
        );
        assert_eq!(config.preset("detail").unwrap().max, Some(5));
        assert_eq!(
            config.preset("admin"),
            Some(Preset {
                max_writes: Some(0),
                ..Preset::default()
            })
        );
        assert_eq!(config.preset("List"), None);
    }

    #[test]
    fn ignores_matches_any_ignore_pattern() {
        let config = parse(
            "ignore = [\"fedcba9876543210\", \"/^SELECT \\\\$1$/\", \"UPDATE sessions SET seen = now()\"]",
        )
        .unwrap();
        assert!(config.ignores("FEDCBA9876543210", "SELECT * FROM users"));
        assert!(config.ignores("0000000000000000", "SELECT $1"));
        assert!(config.ignores(
            "0000000000000000",
            "UPDATE sessions SET seen = now() WHERE id = $1"
        ));
        assert!(!config.ignores("0000000000000000", "SELECT $1, $2"));
        assert!(!Config::default().ignores("fedcba9876543210", "SELECT $1"));
        // The normalised SQL of a health check, as the example's `'/^SELECT \$1$/'` expects.
        let health =
            crate::fingerprint::fingerprint("select 1", crate::fingerprint::Dialect::Generic);
        assert_eq!(health.normalized, "SELECT $1");
    }

    #[test]
    fn allowances_for_filters_by_scope_glob() {
        let config = parse(
            r#"
            [[allow]]
            n_plus_one = "FROM tags"
            reason = "everywhere"

            [[allow]]
            n_plus_one = "FROM authors"
            reason = "api only"
            scope = "api::*"

            [[allow]]
            over_budget = "FROM audit"
            reason = "one handler"
            scope = "api::posts::create"
            "#,
        )
        .unwrap();
        let reasons = |scope| {
            config
                .allowances_for(scope)
                .map(|a| a.reason.as_str())
                .collect::<Vec<_>>()
        };
        assert_eq!(reasons("jobs::nightly"), ["everywhere"]);
        assert_eq!(reasons("api::posts::list"), ["everywhere", "api only"]);
        assert_eq!(
            reasons("api::posts::create"),
            ["everywhere", "api only", "one handler"]
        );
        assert_eq!(
            serde_json::to_value(&config.allow[1]).unwrap(),
            serde_json::json!({
                "kind": "n_plus_one",
                "pattern": "FROM authors",
                "reason": "api only",
                "scope": "api::*",
            })
        );
    }

    #[test]
    fn hostile_input_is_an_error_not_a_panic() {
        let deep = format!("a = {}", "[".repeat(100_000));
        let many = "[[allow]]\n".repeat(10_000);
        for text in [
            deep.as_str(),
            many.as_str(),
            "\u{feff}",
            "=",
            "[presets]\n\"\" = {}",
            "\0",
        ] {
            let _ = parse(text);
        }
        assert_eq!(
            parse("\u{feff}mode = \"off\"").unwrap().mode,
            Some(Mode::Off)
        );
    }

    #[test]
    fn current_loads_once() {
        // Whatever the process environment holds, the second call returns the same value.
        let first = current()
            .map(|c| c as *const Config)
            .map_err(|e| e as *const _);
        let second = current()
            .map(|c| c as *const Config)
            .map_err(|e| e as *const _);
        assert_eq!(first, second);
    }

    #[test]
    fn the_documentation_names_every_key_and_variable() {
        // Destructuring every field makes a new field fail to compile here until it is
        // added to KEYS (and so to the documentation).
        let Config {
            mode: _,
            test_mode: _,
            n_plus_one_threshold: _,
            deny_n_plus_one: _,
            slow: _,
            deny_slow: _,
            include_transactions: _,
            include_internal: _,
            show_values: _,
            dialect: _,
            backtrace: _,
            backtrace_skip: _,
            max_stored: _,
            reports: _,
            report_dir: _,
            presets: _,
            ignore: _,
            allow: _,
            source: _,
        } = Config::default();
        for key in KEYS {
            assert!(
                DOC.contains(&format!("`{key}`")),
                "docs/configuration.md does not describe `{key}`"
            );
            // And the parser knows it: the error, if any, is about the value, not the key.
            if let Err(err) = parse(&format!("{key} = 1.5")) {
                assert!(!err.to_string().contains("unknown field"), "{key}: {err}");
            }
        }
        for name in VARIABLES {
            assert!(
                DOC.contains(&format!("`{name}`")),
                "docs/configuration.md does not name `{name}`"
            );
        }
    }

    #[test]
    fn the_documented_example_is_the_module_example_and_parses() {
        let in_doc = block_after(DOC, "\n## A complete example\n");
        let in_module = module_doc_example(include_str!("config.rs"));
        assert_eq!(
            in_doc, in_module,
            "docs/configuration.md and the module docs differ"
        );
        let config = parse(&in_doc).unwrap();
        for key in KEYS {
            assert!(
                in_doc.contains(&format!("\n{key} = ")) || in_doc.contains(&format!("[{key}]")),
                "the example does not set `{key}`"
            );
        }
        assert_eq!(config.allow.len(), 2);

        // The other examples in the documentation are valid too.
        for block in DOC.split("```toml\n").skip(1) {
            let block = &block[..block.find("```").unwrap()];
            parse(block).unwrap_or_else(|e| panic!("{e}\n{block}"));
        }
    }

    /// The code block that follows `heading` in `text`.
    fn block_after(text: &str, heading: &str) -> String {
        let fence = "```toml\n";
        let after = &text[text.find(heading).expect("the heading") + heading.len()..];
        let start = after.find(fence).expect("a ```toml block") + fence.len();
        let end = start + after[start..].find("```").expect("the end of the block");
        after[start..end].trim().to_owned()
    }

    /// The TOML between `let text = r#"` and `"#;` in the module docs.
    fn module_doc_example(source: &str) -> String {
        let doc: Vec<&str> = source
            .lines()
            .take_while(|line| line.starts_with("//!"))
            .map(|line| line.trim_start_matches("//!"))
            .map(|line| line.strip_prefix(' ').unwrap_or(line))
            // rustdoc shows (and compiles) `## …` as `# …`: how TOML comments are written there.
            .map(|line| {
                line.strip_prefix('#')
                    .filter(|l| l.starts_with('#'))
                    .unwrap_or(line)
            })
            .collect();
        let start = doc.iter().position(|l| *l == "let text = r#\"").unwrap() + 1;
        let end = doc.iter().position(|l| *l == "\"#;").unwrap();
        doc[start..end].join("\n").trim().to_owned()
    }
}
