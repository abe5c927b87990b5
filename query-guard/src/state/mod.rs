//! A scope's state while it is open: what the layer records into, on any thread, and what
//! becomes the [`Report`](crate::Report) when the scope closes ([`close`](self::close)).

mod close;

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parking_lot::Mutex;
use tracing::Metadata;

use crate::budget::Budget;
use crate::classify::{Class, classify};
use crate::fingerprint::_support::{Candidates, cached_among};
use crate::fingerprint::{Dialect, Fingerprint};
use crate::mode::Mode;
use crate::pattern::Pattern;
use crate::report::Report;
use crate::statement::{CallPath, Captured};
use crate::stats::Histogram;

/// Target of the scope span.
pub const SCOPE_TARGET: &str = "query_guard::scope";

/// How many statements a scope stores before it only counts and aggregates.
pub const MAX_STORED_STATEMENTS: usize = 10_000;

/// How many bytes of SQL text a scope stores before it only counts and aggregates (whichever of
/// this and the statement count comes first): a bulk import of large inline-value statements
/// stays bounded too.
pub const MAX_STORED_SQL_BYTES: usize = 8 * 1024 * 1024;

thread_local! {
    /// Hands the recorder to the layer's `on_new_span`, which tracing calls synchronously, on this
    /// thread, while the scope span is created.
    static PENDING: RefCell<Option<Arc<ScopeState>>> = const { RefCell::new(None) };
}

/// Hands `state` to the layer's `on_new_span` for the scope span about to be created on this
/// thread.
pub(crate) fn set_pending(state: Arc<ScopeState>) {
    PENDING.with(|p| *p.borrow_mut() = Some(state));
}

pub(crate) fn take_pending() -> Option<Arc<ScopeState>> {
    PENDING.with(|p| p.borrow_mut().take())
}

pub(crate) fn is_scope_span(meta: &Metadata<'_>) -> bool {
    meta.target() == SCOPE_TARGET && meta.name() == "query_guard"
}

/// Statements past the storage cap, aggregated by fingerprint.
#[derive(Debug, Clone)]
pub(crate) struct Unstored {
    pub fingerprint: Arc<Fingerprint>,
    pub count: usize,
    pub total: Duration,
    pub max: Duration,
    /// Runs at or over the scope's slow threshold.
    pub slow: usize,
    pub histogram: Histogram,
    pub path: CallPath,
    /// What the N+1 detector needs to know of runs it cannot see: hashes of the distinct texts
    /// (at most [`MAX_UNSTORED_TEXTS`]; values are visible when no text had bind parameters),
    /// whether any had bind parameters, and whether any handled many values at once.
    pub texts: Vec<u64>,
    pub binds: bool,
    pub batched: bool,
}

/// Distinct texts remembered per aggregated shape: enough to tell "the same values again and
/// again" from "different values" for any sensible N+1 threshold.
pub(crate) const MAX_UNSTORED_TEXTS: usize = 64;

/// How many shapes a scope aggregates past its storage cap; further shapes are only counted,
/// by class, so a scope's memory stays bounded whatever runs in it.
pub const MAX_UNSTORED_SHAPES: usize = 1_000;

#[derive(Default, Clone)]
pub(crate) struct Recorded {
    pub statements: Vec<Captured>,
    /// Bytes of SQL text in `statements`.
    pub stored_bytes: usize,
    /// A cap was reached: later statements are aggregated too, so the stored ones stay the
    /// first ones, in order.
    pub full: bool,
    pub unstored: HashMap<u64, Unstored>,
    /// Past both caps: count and time per class.
    pub unstored_other: HashMap<Class, (usize, Duration)>,
    pub closed: bool,
}

/// What a scope knows about itself, shared between its span and its handle.
pub(crate) struct ScopeState {
    pub name: String,
    pub location: Option<String>,
    /// The test harness's thread name, when the scope opened in a test.
    pub test: Option<String>,
    /// Statements matching these are [`Class::Ignored`].
    pub ignore: Arc<[Pattern]>,
    /// Whether to capture a backtrace per statement for its call site, and the crates to skip.
    pub backtrace: Option<Arc<[String]>>,
    /// Where to write the closing report, when report files are on.
    pub report_dir: Option<std::path::PathBuf>,
    pub budget: Budget,
    pub mode: Mode,
    pub show_values: bool,
    /// The database of statements whose source does not say (builder, environment, file).
    pub dialect: Option<Dialect>,
    pub max_stored: usize,
    pub started: Instant,
    pub recorded: Mutex<Recorded>,
    /// Threads currently inside the scope (enters of its span and its descendants, minus exits).
    pub active: AtomicUsize,
    /// The report made when the scope closed: what every later `finish` returns.
    pub final_report: std::sync::OnceLock<Report>,
}

/// How long [`ScopeState::settle`] waits for other threads to leave the scope.
const SETTLE_LIMIT: Duration = Duration::from_millis(50);

impl ScopeState {
    pub(crate) fn entered(&self) {
        self.active.fetch_add(1, Ordering::AcqRel);
    }

    pub(crate) fn exited(&self) {
        self.active.fetch_sub(1, Ordering::AcqRel);
    }

    /// Waits, at most [`SETTLE_LIMIT`], until no thread is inside the scope: a statement that
    /// is still being logged on another thread (sqlx's SQLite worker emits a failed statement's
    /// event after the caller already has the error) reaches the scope before it closes. Returns
    /// at once in the usual case, where the scope's code has finished.
    pub(crate) fn settle(&self) {
        if self.active.load(Ordering::Acquire) == 0 {
            return;
        }
        let start = Instant::now();
        let mut spins = 0_u32;
        while self.active.load(Ordering::Acquire) > 0 && start.elapsed() < SETTLE_LIMIT {
            if spins < 1_000 {
                spins += 1;
                std::thread::yield_now();
            } else {
                std::thread::sleep(Duration::from_micros(200));
            }
        }
    }

    /// The databases a captured statement may be for: what its source and thread said, else
    /// the scope's `dialect` setting, else any (then the fingerprint masks conservatively).
    pub(crate) fn among(&self, stmt: &Captured) -> Candidates {
        match self.dialect {
            Some(d) if !stmt.among.is_single() => {
                let configured = Candidates::of(d);
                // A renamed SQLite worker thread makes a SQLite statement look "not SQLite":
                // the setting is the better word then.
                let both = stmt.among.and(configured);
                if both.bits() == 0 { configured } else { both }
            }
            _ => stmt.among,
        }
    }

    /// Records one statement. Never panics; ignores statements that arrive after the scope closed
    /// (from a task that outlived it).
    pub(crate) fn record(&self, stmt: Captured) {
        let mut rec = self.recorded.lock();
        if rec.closed {
            return;
        }
        if !rec.full
            && rec.statements.len() < self.max_stored
            && rec.stored_bytes.saturating_add(stmt.sql.len()) <= MAX_STORED_SQL_BYTES
        {
            rec.stored_bytes += stmt.sql.len();
            let (len, capacity) = (rec.statements.len(), rec.statements.capacity());
            if len == capacity {
                // Doubling, but never past the cap: a full scope holds `max_stored` slots, not
                // the next power of two (16,384 for 10,000, 0.8 MiB more).
                let target = (len * 2).max(16).min(self.max_stored);
                rec.statements.reserve_exact(target.max(len + 1) - len);
            }
            rec.statements.push(stmt);
            return;
        }
        rec.full = true;
        drop(rec);
        // Over the cap: fingerprint now (cached), keep one aggregate per shape.
        let fp = cached_among(&stmt.sql, self.among(&stmt), stmt.len);
        let mut class = classify(&fp);
        let elapsed = stmt.elapsed.unwrap_or_default();
        let slow = self
            .budget
            .slow_threshold()
            .is_some_and(|t| stmt.elapsed.is_some_and(|e| e >= t));
        let mut rec = self.recorded.lock();
        if rec.closed {
            return;
        }
        if rec.unstored.len() >= MAX_UNSTORED_SHAPES && !rec.unstored.contains_key(&fp.hash) {
            if self
                .ignore
                .iter()
                .any(|p| p.matches(&fp.hex(), &fp.normalized))
            {
                class = Class::Ignored;
            }
            let other = rec.unstored_other.entry(class).or_default();
            other.0 += 1;
            other.1 = other.1.saturating_add(elapsed);
            return;
        }
        let entry = rec.unstored.entry(fp.hash).or_insert_with(|| Unstored {
            fingerprint: fp,
            count: 0,
            total: Duration::ZERO,
            max: Duration::ZERO,
            slow: 0,
            histogram: Histogram::default(),
            path: stmt.path.clone(),
            texts: Vec::new(),
            binds: false,
            batched: false,
        });
        let text = crate::fingerprint::_support::without_tag_comment(&stmt.sql);
        let text_hash = crate::fingerprint::fnv1a_64(text.as_bytes());
        if entry.texts.len() < MAX_UNSTORED_TEXTS && !entry.texts.contains(&text_hash) {
            // Read once per distinct text (a bound statement has one), at most 64 per shape.
            let dialect = entry.fingerprint.dialect();
            entry.texts.push(text_hash);
            entry.binds |= crate::fingerprint::has_bind_placeholders(text, dialect);
            entry.batched |= crate::detect::n_plus_one::handles_many(text, dialect);
        }
        entry.count += 1;
        entry.total = entry.total.saturating_add(elapsed);
        if let Some(e) = stmt.elapsed {
            entry.max = entry.max.max(e);
            entry.histogram.add(e, 1);
        }
        entry.slow += usize::from(slow);
    }
}
