//! Reading `query-guard.toml`: the TOML as written, with positions ([`RawConfig`]), checked
//! key by key into a [`Config`] by [`FileReader`], whose errors name the line, the column and
//! what was expected.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use toml::{Spanned, Value};

use super::shared::{
    DIALECT_EXPECTED, MILLIS_EXPECTED, MODE_EXPECTED, duration_from_millis, parse_dialect,
    whole_number,
};
use super::{AllowKind, Allowance, Config, ConfigError, Preset};
use crate::fingerprint::_support::line_column;
use crate::fingerprint::Dialect;
use crate::mode::Mode;
use crate::pattern::Pattern;

/// Reads the text of a configuration file whose path is `origin` ([`Config::from_toml_str`]).
pub(super) fn read(text: &str, origin: &Path) -> Result<Config, ConfigError> {
    let file = FileReader { text, origin };
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |span| span.start);
        file.error_at(offset, e.message().to_owned())
    })?;
    file.config(raw)
}

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

#[cfg(test)]
pub(super) mod tests;
