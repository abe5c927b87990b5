//! The `QUERY_GUARD_*` environment variables: what each one sets ([`apply`], behind
//! [`Config::with_env`]) and how its value is read ([`EnvReader`]).

use std::path::PathBuf;
use std::time::Duration;

use super::shared::{
    DIALECT_EXPECTED, MILLIS_EXPECTED, MODE_EXPECTED, duration_from_millis, parse_dialect,
    whole_number,
};
use super::{Config, ConfigError};
use crate::fingerprint::Dialect;
use crate::mode::Mode;

const ENV_BOOL_EXPECTED: &str = "one of 1, 0, true, false, yes, no, on, off";

/// Applies the variables `var` looks up to `config` ([`Config::with_env`]).
pub(super) fn apply(
    mut config: Config,
    var: &dyn Fn(&str) -> Option<String>,
) -> Result<Config, ConfigError> {
    let env = EnvReader { var };
    if let Some(mode) = env.mode("QUERY_GUARD_MODE")? {
        config.mode = Some(mode);
    }
    if let Some(mode) = env.mode("QUERY_GUARD_TEST_MODE")? {
        config.test_mode = Some(mode);
    }
    if let Some(n) = env.count("QUERY_GUARD_N_PLUS_ONE_THRESHOLD", 2)? {
        config.n_plus_one_threshold = Some(n);
    }
    if let Some(yes) = env.flag("QUERY_GUARD_DENY_N_PLUS_ONE")? {
        config.deny_n_plus_one = Some(yes);
    }
    if let Some(slow) = env.millis("QUERY_GUARD_SLOW_MS")? {
        config.slow = Some(slow);
    }
    if let Some(yes) = env.flag("QUERY_GUARD_DENY_SLOW")? {
        config.deny_slow = Some(yes);
    }
    if let Some(yes) = env.flag("QUERY_GUARD_INCLUDE_TRANSACTIONS")? {
        config.include_transactions = Some(yes);
    }
    if let Some(yes) = env.flag("QUERY_GUARD_INCLUDE_INTERNAL")? {
        config.include_internal = Some(yes);
    }
    if let Some(yes) = env.flag("QUERY_GUARD_SHOW_VALUES")? {
        config.show_values = Some(yes);
    }
    if let Some(d) = env.dialect("QUERY_GUARD_DIALECT")? {
        config.dialect = Some(d);
    }
    if let Some(yes) = env.flag("QUERY_GUARD_BACKTRACE")? {
        config.backtrace = Some(yes);
    }
    if let Some(n) = env.count("QUERY_GUARD_MAX_STORED", 1)? {
        config.max_stored = Some(n);
    }
    let reports = env.flag("QUERY_GUARD_REPORTS")?;
    if let Some(dir) = env.get("QUERY_GUARD_REPORT_DIR") {
        let dir = PathBuf::from(dir);
        config.report_dir = Some(std::path::absolute(&dir).unwrap_or(dir));
        config.reports = Some(true);
    }
    if let Some(yes) = reports {
        config.reports = Some(yes);
    }
    Ok(config)
}

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

#[cfg(test)]
pub(super) mod tests;
