//! One captured statement, and where in the program it ran.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use tracing::Metadata;

use crate::fingerprint::_support::Candidates;

/// Where a statement came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A `sqlx::query` event (sqlx, and SeaORM through sqlx).
    Sqlx,
    /// An event carrying `db.statement` or `db.query.text` (OpenTelemetry names).
    Event,
    /// A span carrying `db.statement` or `db.query.text`, recorded when it closed.
    Span,
    /// [`crate::record`], for drivers that do not use tracing.
    Manual,
}

/// The spans between a scope and the statement, outermost first: the statement's logical call site.
///
/// With `#[tracing::instrument]` on the functions that query, this reads like a stack trace:
/// `list_posts > load_author (src/posts.rs:42)`. It is empty when the statement ran directly in the
/// scope's body.
///
/// Shared, not copied: every statement from the same span holds the same path.
///
/// A path read back from a report file (`Deserialize`) keeps only its printed form: it displays
/// and serialises as it was written, and has no [`names`](CallPath::names) or
/// [`location`](CallPath::location).
#[derive(Clone, Default)]
pub struct CallPath {
    spans: Option<Arc<[&'static Metadata<'static>]>>,
    /// The printed form of a path read back from a report file.
    printed: Option<Arc<str>>,
}

impl PartialEq for CallPath {
    fn eq(&self, other: &CallPath) -> bool {
        self.as_slice() == other.as_slice() && self.printed == other.printed
    }
}

impl Eq for CallPath {}

impl CallPath {
    /// This path with one more span inside it.
    pub(crate) fn child(&self, span: &'static Metadata<'static>) -> CallPath {
        let mut spans = self.as_slice().to_vec();
        spans.push(span);
        CallPath {
            spans: Some(spans.into()),
            printed: self.printed.clone(),
        }
    }

    fn as_slice(&self) -> &[&'static Metadata<'static>] {
        self.spans.as_deref().unwrap_or(&[])
    }

    /// Whether the statement ran directly in the scope's body.
    pub fn is_empty(&self) -> bool {
        self.as_slice().is_empty() && self.printed.is_none()
    }

    /// Span names, outermost first.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.as_slice().iter().map(|m| m.name())
    }

    /// Source location (`file:line`) of the innermost span, when tracing knows it.
    pub fn location(&self) -> Option<String> {
        let inner = self.as_slice().last()?;
        Some(format!("{}:{}", inner.file()?, inner.line()?))
    }
}

impl std::hash::Hash for CallPath {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        for m in self.as_slice() {
            m.callsite().hash(state);
        }
        self.printed.hash(state);
    }
}

impl fmt::Display for CallPath {
    /// `a > b > c (file:line)`, or `-` when empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(printed) = &self.printed {
            return f.write_str(printed);
        }
        if self.is_empty() {
            return f.write_str("-");
        }
        for (i, name) in self.names().enumerate() {
            if i > 0 {
                f.write_str(" > ")?;
            }
            f.write_str(name)?;
        }
        if let Some(loc) = self.location() {
            write!(f, " ({loc})")?;
        }
        Ok(())
    }
}

impl fmt::Debug for CallPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CallPath({self})")
    }
}

impl serde::Serialize for CallPath {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for CallPath {
    /// The printed form, as [`Serialize`](serde::Serialize) writes it (`-` is the empty path).
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<CallPath, D::Error> {
        let text = String::deserialize(d)?;
        Ok(CallPath {
            spans: None,
            printed: (!text.is_empty() && text != "-").then(|| text.into()),
        })
    }
}

/// A statement as captured, before it is fingerprinted.
#[derive(Debug, Clone)]
pub(crate) struct Captured {
    /// The SQL, at most [`crate::fingerprint::MAX_FINGERPRINT_LEN`] bytes of it.
    pub sql: String,
    /// The length of the whole statement (more than `sql.len()` when it was cut).
    pub len: usize,
    pub elapsed: Option<Duration>,
    pub rows_affected: Option<u64>,
    pub rows_returned: Option<u64>,
    pub db_system: Option<String>,
    /// The databases it may be for, from what its source and its thread say.
    pub among: Candidates,
    pub source: Source,
    pub path: CallPath,
    /// The application's line that ran it, when backtrace capture is on and found one.
    pub site: Option<Arc<crate::callsite::CallSite>>,
}

/// Sum of durations that saturates instead of panicking (`Duration`'s `Sum` panics on overflow,
/// and a source may report any duration).
pub(crate) fn saturating_sum(durations: impl IntoIterator<Item = Duration>) -> Duration {
    durations
        .into_iter()
        .fold(Duration::ZERO, Duration::saturating_add)
}
