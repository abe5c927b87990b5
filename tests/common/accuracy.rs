//! Support for the accuracy suite ([`crate::accuracy_suite!`]): labelled scenarios of realistic
//! application code, each with the findings query-guard must report and nothing else.
//!
//! A scenario runs against a real database, in one or more `capture_async` scopes, and returns
//! their reports. Its expectation lists every finding (N+1, repeated sequence, duplicate), with
//! its count, its number of steps and its tables, and how many statements the scopes counted (a
//! check that the scenario ran what it says it runs: a scenario whose statements never reached
//! its scope would pass "nothing found" for the wrong reason). Observed and expected findings
//! are matched one to one: a match is a true positive, an expected finding left over a false
//! negative, an observed one left over a false positive.
//!
//! Each scenario is its own test; `accuracy_summary` runs them all and prints the confusion
//! matrix (`cargo test -p query-guard-tests --test accuracy_postgres accuracy_summary --
//! --nocapture`). An expectation says what is true of the code, not what query-guard happens to
//! report: when they disagree, fix the detector (or record the limitation), never the
//! expectation.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

use query_guard::Report;
use query_guard::detect::n_plus_one::NPlusOneKind;

/// What a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    /// One statement shape repeated from one call site (an N+1).
    Repeated,
    /// Several shapes repeated in lockstep (a repeated sequence: an N+1 of several statements).
    Sequence,
    /// The same read with the same values run more than once.
    Duplicate,
}

/// A finding, reduced to what the suite checks.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Finding {
    /// What it is.
    pub kind: Kind,
    /// Accepted by an allowance (still reported, never fails the scope).
    pub allowed: bool,
    /// How many times it ran (for a sequence: how many times the sequence ran).
    pub count: usize,
    /// Shapes in it: 1, or a sequence's number of steps.
    pub steps: usize,
    /// Tables it touches, sorted, without the scenario's prefix.
    pub tables: Vec<String>,
}

fn tables(list: &str) -> Vec<String> {
    let mut t: Vec<String> = list.split(',').map(|s| s.trim().to_owned()).collect();
    t.sort();
    t
}

/// An N+1: one shape run `count` times, touching `tables` (comma-separated).
pub fn n_plus_one(tables_: &str, count: usize) -> Finding {
    Finding {
        kind: Kind::Repeated,
        allowed: false,
        count,
        steps: 1,
        tables: tables(tables_),
    }
}

/// A repeated sequence of `steps` shapes, run `count` times, touching `tables` (comma-separated).
pub fn sequence(steps: usize, tables_: &str, count: usize) -> Finding {
    Finding {
        kind: Kind::Sequence,
        allowed: false,
        count,
        steps,
        tables: tables(tables_),
    }
}

/// A duplicate read run `count` times.
pub fn duplicate(tables_: &str, count: usize) -> Finding {
    Finding {
        kind: Kind::Duplicate,
        allowed: false,
        count,
        steps: 1,
        tables: tables(tables_),
    }
}

impl Finding {
    /// The same finding, accepted by an allowance.
    pub fn allowed(mut self) -> Finding {
        self.allowed = true;
        self
    }

    /// Its row in the confusion matrix.
    pub fn class(&self) -> &'static str {
        match (self.kind, self.allowed) {
            (Kind::Repeated, false) => "N+1 (repeated shape)",
            (Kind::Sequence, false) => "N+1 (repeated sequence)",
            (Kind::Repeated | Kind::Sequence, true) => "N+1 accepted by an allowance",
            (Kind::Duplicate, _) => "duplicate",
        }
    }

    /// Whether it makes the scope fail under `deny_n_plus_one`: an N+1 no allowance accepts.
    pub fn flags_n_plus_one(&self) -> bool {
        matches!(self.kind, Kind::Repeated | Kind::Sequence) && !self.allowed
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            Kind::Repeated => write!(f, "N+1 ×{}", self.count)?,
            Kind::Sequence => write!(f, "sequence of {} ×{}", self.steps, self.count)?,
            Kind::Duplicate => write!(f, "duplicate ×{}", self.count)?,
        }
        write!(f, " [{}]", self.tables.join(","))?;
        if self.allowed {
            f.write_str(" allowed")?;
        }
        Ok(())
    }
}

/// What a scenario must report.
#[derive(Debug, Clone)]
pub struct Expect {
    /// Every finding, and nothing else.
    pub findings: Vec<Finding>,
    /// Statements the scopes counted (reads and writes), summed over the scopes.
    pub counted: usize,
    /// Transaction control statements listed, when the scenario is about them.
    pub transactions: Option<usize>,
}

/// `counted` statements, and these findings only.
pub fn expect(counted: usize, findings: impl IntoIterator<Item = Finding>) -> Expect {
    Expect {
        findings: findings.into_iter().collect(),
        counted,
        transactions: None,
    }
}

impl Expect {
    /// Also `n` transaction control statements listed.
    pub fn transactions(mut self, n: usize) -> Expect {
        self.transactions = Some(n);
        self
    }

    /// Whether an N+1 must be flagged (the scenario is a positive).
    pub fn must_flag(&self) -> bool {
        self.findings.iter().any(Finding::flags_n_plus_one)
    }
}

/// A boxed scenario future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;

/// A labelled scenario. `C` is the suite's context (pool and tables).
pub struct Scenario<C> {
    /// Its name: the test's name and part of its tables' names.
    pub name: &'static str,
    /// What the code does, in one line.
    pub description: &'static str,
    /// The tables it uses (created and seeded before it runs, dropped after).
    pub tables: &'static [&'static str],
    /// What query-guard must report.
    pub expect: Expect,
    /// Runs the code in its scopes and returns their reports.
    pub run: fn(C) -> BoxFuture<Vec<Report>>,
}

/// Every table: name, columns, seed rows. See [`Tables`] for what the data is.
const SCHEMA: &[(&str, &str, &str)] = &[
    (
        "authors",
        "id BIGINT PRIMARY KEY, name TEXT NOT NULL",
        "(1, 'Ada'), (2, 'Brian'), (3, 'Carol'), (4, 'Dennis')",
    ),
    (
        "posts",
        "id BIGINT PRIMARY KEY, author_id BIGINT NOT NULL, title TEXT NOT NULL",
        "(1, 1, 'Hello'), (2, 1, 'Iterators'), (3, 2, 'Lifetimes'), (4, 3, 'Async'), (5, 3, 'Traits'), (6, 4, 'Macros')",
    ),
    (
        "comments",
        "id BIGINT PRIMARY KEY, post_id BIGINT NOT NULL, author_id BIGINT NOT NULL, body TEXT NOT NULL",
        "(1, 1, 2, 'nice'), (2, 1, 3, 'thanks'), (3, 2, 1, 'see also'), (4, 3, 1, 'typo'), \
         (5, 3, 4, 'why?'), (6, 3, 2, 'because'), (7, 2, 4, 'more please')",
    ),
    (
        "tags",
        "id BIGINT PRIMARY KEY, name TEXT NOT NULL UNIQUE",
        "(1, 'rust'), (2, 'sql'), (3, 'perf')",
    ),
    (
        "post_tags",
        "post_id BIGINT NOT NULL, tag_id BIGINT NOT NULL, PRIMARY KEY (post_id, tag_id)",
        "(1, 1), (1, 2), (2, 1), (3, 3), (4, 2), (5, 1), (5, 3), (6, 2)",
    ),
    (
        "customers",
        "id BIGINT PRIMARY KEY, name TEXT NOT NULL",
        "(1, 'Alice'), (2, 'Bob'), (3, 'Chloe')",
    ),
    (
        "products",
        "id BIGINT PRIMARY KEY, name TEXT NOT NULL, price BIGINT NOT NULL, stock BIGINT NOT NULL",
        "(1, 'pen', 150, 100), (2, 'ink', 700, 40), (3, 'paper', 400, 70), (4, 'stapler', 1200, 10), (5, 'ruler', 250, 30)",
    ),
    (
        "orders",
        "id BIGINT PRIMARY KEY, customer_id BIGINT NOT NULL, status TEXT NOT NULL",
        "(1, 1, 'paid'), (2, 2, 'pending'), (3, 1, 'paid'), (4, 3, 'pending'), (5, 2, 'shipped')",
    ),
    (
        "order_items",
        "id BIGINT PRIMARY KEY, order_id BIGINT NOT NULL, product_id BIGINT NOT NULL, qty BIGINT NOT NULL",
        "(1, 1, 1, 1), (2, 1, 2, 2), (3, 1, 3, 1), (4, 2, 4, 1), (5, 2, 1, 3), \
         (6, 3, 5, 1), (7, 4, 2, 1), (8, 4, 3, 2), (9, 5, 1, 1), (10, 5, 4, 1)",
    ),
    (
        "settings",
        "key TEXT PRIMARY KEY, value TEXT NOT NULL",
        "('currency', 'EUR'), ('locale', 'fr-FR')",
    ),
];

/// A scenario's tables, named `qg_<db>_<test>_<table>`, and the SQL that builds and seeds them.
///
/// The seed data (the scenarios' expectations depend on it):
/// - authors 1–4; posts 1–6 by authors 1, 1, 2, 3, 3, 4;
/// - comments 1–7 on posts 1, 1, 2, 3, 3, 3, 2 (posts 4–6 have none), by authors 2, 3, 1, 1, 4, 2, 4;
/// - tags 1–3; post_tags: every post has one or two tags;
/// - customers 1–3; products 1–5; orders 1–5 of customers 1, 2, 1, 3, 2, statuses paid, pending,
///   paid, pending, shipped;
/// - order_items 1–10 on orders 1, 1, 1, 2, 2, 3, 4, 4, 5, 5, products 1, 2, 3, 4, 1, 5, 2, 3, 1, 4;
/// - settings `currency` and `locale`; `late` does not exist until the retry scenario creates it.
///
/// A scenario creates only the tables it lists ([`Scenario::tables`]).
#[derive(Debug, Clone)]
pub struct Tables {
    /// `qg_<db>_<test>_`.
    pub prefix: String,
    pub authors: String,
    pub posts: String,
    pub comments: String,
    pub tags: String,
    pub post_tags: String,
    pub customers: String,
    pub products: String,
    pub orders: String,
    pub order_items: String,
    pub settings: String,
    /// Created by the retry scenario, between a failed attempt and its retry.
    pub late: String,
}

impl Tables {
    /// The tables of test `test` on database `db`.
    pub fn new(db: &str, test: &str) -> Tables {
        let t = |what: &str| crate::suite_support::table(db, test, what);
        Tables {
            prefix: t(""),
            authors: t("authors"),
            posts: t("posts"),
            comments: t("comments"),
            tags: t("tags"),
            post_tags: t("post_tags"),
            customers: t("customers"),
            products: t("products"),
            orders: t("orders"),
            order_items: t("order_items"),
            settings: t("settings"),
            late: t("late"),
        }
    }

    /// Drops `which` tables (one batch of statements).
    pub fn drop_sql(&self, which: &[&str]) -> String {
        which
            .iter()
            .map(|what| format!("DROP TABLE IF EXISTS {}{what};\n", self.prefix))
            .collect()
    }

    /// Drops, creates and seeds `which` tables (one batch of statements, valid on SQLite and
    /// PostgreSQL). Only the tables a scenario uses: DDL is most of the suite's time on
    /// PostgreSQL.
    pub fn create_sql(&self, which: &[&str]) -> String {
        let mut sql = self.drop_sql(which);
        for &what in which {
            let Some(&(_, columns, rows)) = SCHEMA.iter().find(|(name, _, _)| *name == what) else {
                // `late` and the like: created by the scenario itself.
                continue;
            };
            let table = format!("{}{what}", self.prefix);
            sql.push_str(&format!("CREATE TABLE {table} ({columns});\n"));
            if !rows.is_empty() {
                let names: Vec<&str> = columns
                    .split(", ")
                    .take_while(|c| !c.starts_with("PRIMARY KEY"))
                    .map(|c| c.split(' ').next().unwrap_or(c))
                    .collect();
                sql.push_str(&format!(
                    "INSERT INTO {table} ({}) VALUES {rows};\n",
                    names.join(", ")
                ));
            }
        }
        sql
    }

    /// Creates and seeds `late` (what another process's migration would do).
    pub fn create_late_sql(&self) -> String {
        let late = &self.late;
        format!(
            "CREATE TABLE {late} (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            INSERT INTO {late} (key, value) VALUES ('currency', 'EUR');"
        )
    }

    /// `table` without the prefix.
    pub fn strip<'a>(&self, table: &'a str) -> &'a str {
        table.strip_prefix(&self.prefix).unwrap_or(table)
    }
}

/// The suite's context: the pool and the scenario's tables.
#[derive(Clone)]
pub struct Cx<P> {
    /// The database.
    pub pool: P,
    /// The scenario's tables.
    pub t: std::sync::Arc<Tables>,
}

/// What the reports say, as findings.
pub fn observed(reports: &[Report], t: &Tables) -> Vec<Finding> {
    let strip = |list: &[String]| {
        let mut v: Vec<String> = list.iter().map(|s| t.strip(s).to_owned()).collect();
        v.sort();
        v.dedup();
        v
    };
    let mut out = Vec::new();
    for r in reports {
        for f in r.n_plus_one() {
            out.push(Finding {
                kind: match f.kind {
                    NPlusOneKind::Repeated => Kind::Repeated,
                    NPlusOneKind::Sequence => Kind::Sequence,
                },
                allowed: f.allowed.is_some(),
                count: f.count,
                steps: f.steps.len().max(1),
                tables: strip(&f.tables),
            });
        }
        for d in r.duplicates() {
            out.push(Finding {
                kind: Kind::Duplicate,
                allowed: false,
                count: d.count,
                steps: 1,
                tables: strip(&d.tables),
            });
        }
    }
    out.sort();
    out
}

/// One scenario's run: what it expected, what it got.
pub struct Run {
    /// The scenario's name.
    pub name: &'static str,
    /// Its description.
    pub description: &'static str,
    /// Its expectation.
    pub expect: Expect,
    /// The findings observed.
    pub observed: Vec<Finding>,
    /// Expected findings observed.
    pub true_positives: Vec<Finding>,
    /// Observed findings not expected.
    pub false_positives: Vec<Finding>,
    /// Expected findings not observed.
    pub false_negatives: Vec<Finding>,
    /// Statements counted over its scopes.
    pub counted: usize,
    /// Transaction control statements listed over its scopes.
    pub transactions: usize,
    /// The reports, printed on a mismatch.
    pub reports: Vec<Report>,
    /// How long the scenario's code took.
    pub elapsed: Duration,
}

impl Run {
    /// Compares a scenario's reports with its expectation.
    pub fn new<C>(
        scenario: &Scenario<C>,
        t: &Tables,
        reports: Vec<Report>,
        elapsed: Duration,
    ) -> Run {
        let observed = observed(&reports, t);
        let mut left: Vec<Finding> = observed.clone();
        let mut true_positives = Vec::new();
        let mut false_negatives = Vec::new();
        for e in &scenario.expect.findings {
            match left.iter().position(|o| o == e) {
                Some(i) => true_positives.push(left.remove(i)),
                None => false_negatives.push(e.clone()),
            }
        }
        Run {
            name: scenario.name,
            description: scenario.description,
            expect: scenario.expect.clone(),
            observed,
            true_positives,
            false_positives: left,
            false_negatives,
            counted: reports.iter().map(Report::count).sum(),
            transactions: reports.iter().map(|r| r.counts().transactions).sum(),
            reports,
            elapsed,
        }
    }

    /// What is wrong with this run, if anything.
    pub fn problems(&self) -> Vec<String> {
        let mut p = Vec::new();
        for f in &self.false_positives {
            p.push(format!("false positive: {f}"));
        }
        for f in &self.false_negatives {
            p.push(format!("false negative: {f} expected, not reported"));
        }
        if self.counted != self.expect.counted {
            p.push(format!(
                "the scopes counted {} statements, the scenario runs {}",
                self.counted, self.expect.counted
            ));
        }
        if let Some(tx) = self.expect.transactions
            && tx != self.transactions
        {
            p.push(format!(
                "{} transaction control statements listed, the scenario runs {tx}",
                self.transactions
            ));
        }
        p
    }

    /// Panics, with every report in full, unless the run matched its expectation.
    pub fn assert_ok(&self) {
        let problems = self.problems();
        if problems.is_empty() {
            return;
        }
        let mut msg = format!(
            "scenario `{}` ({}):\n  - {}\nexpected: {}\nobserved: {}\n",
            self.name,
            self.description,
            problems.join("\n  - "),
            list(&self.expect.findings),
            list(&self.observed),
        );
        for r in &self.reports {
            msg.push_str(&format!("\n{r}\n"));
        }
        panic!("{msg}");
    }
}

fn list(findings: &[Finding]) -> String {
    if findings.is_empty() {
        return "nothing".to_owned();
    }
    findings
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The confusion matrix of a whole suite run, as text.
pub fn matrix(db: &str, runs: &[Run], wall: Duration) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let positives = runs.iter().filter(|r| r.expect.must_flag()).count();
    let _ = writeln!(
        out,
        "query-guard accuracy on {db}: {} scenarios ({positives} must flag an N+1, {} must not), {:.2} s\n",
        runs.len(),
        runs.len() - positives,
        wall.as_secs_f64()
    );
    let _ = writeln!(
        out,
        "{:<24} {:<10} {:<50} {:>2} {:>2} {:>2} {:>6}  result",
        "scenario", "class", "expected", "TP", "FP", "FN", "ms"
    );
    for r in runs {
        let class = if r.expect.must_flag() {
            "must flag"
        } else {
            "must not"
        };
        let ok = if r.problems().is_empty() {
            "ok".to_owned()
        } else {
            format!("MISMATCH: {}", r.problems().join("; "))
        };
        let _ = writeln!(
            out,
            "{:<24} {:<10} {:<50} {:>2} {:>2} {:>2} {:>6.1}  {ok}",
            r.name,
            class,
            list(&r.expect.findings),
            r.true_positives.len(),
            r.false_positives.len(),
            r.false_negatives.len(),
            r.elapsed.as_secs_f64() * 1e3,
        );
    }
    let _ = writeln!(
        out,
        "\n{:<32} {:>4} {:>4} {:>4}",
        "finding kind", "TP", "FP", "FN"
    );
    let kinds = [
        "N+1 (repeated shape)",
        "N+1 (repeated sequence)",
        "N+1 accepted by an allowance",
        "duplicate",
    ];
    let count = |pick: fn(&Run) -> &Vec<Finding>, kind: &str| {
        runs.iter()
            .flat_map(|r| pick(r).iter())
            .filter(|f| f.class() == kind)
            .count()
    };
    let (mut tp, mut fp, mut fn_) = (0, 0, 0);
    for kind in kinds {
        let row = (
            count(|r| &r.true_positives, kind),
            count(|r| &r.false_positives, kind),
            count(|r| &r.false_negatives, kind),
        );
        tp += row.0;
        fp += row.1;
        fn_ += row.2;
        let _ = writeln!(out, "{kind:<32} {:>4} {:>4} {:>4}", row.0, row.1, row.2);
    }
    let _ = writeln!(out, "{:<32} {tp:>4} {fp:>4} {fn_:>4}", "all findings");
    let _ = writeln!(
        out,
        "\n{:<32} {:>4} {:>4} {:>4} {:>4}",
        "scenario kind", "runs", "TP", "FP", "FN"
    );
    for (kind, must_flag) in [("must flag an N+1", true), ("must not flag an N+1", false)] {
        let of_kind: Vec<&Run> = runs
            .iter()
            .filter(|r| r.expect.must_flag() == must_flag)
            .collect();
        let sum = |pick: fn(&Run) -> usize| of_kind.iter().map(|r| pick(r)).sum::<usize>();
        let _ = writeln!(
            out,
            "{kind:<32} {:>4} {:>4} {:>4} {:>4}",
            of_kind.len(),
            sum(|r| r.true_positives.len()),
            sum(|r| r.false_positives.len()),
            sum(|r| r.false_negatives.len()),
        );
    }
    let clean = runs
        .iter()
        .filter(|r| r.expect.findings.is_empty() && r.observed.is_empty())
        .count();
    let nothing = runs.iter().filter(|r| r.expect.findings.is_empty()).count();
    let _ = writeln!(
        out,
        "\nscenarios expecting nothing that reported nothing (true negatives): {clean} of {nothing}"
    );
    let _ = writeln!(
        out,
        "scenarios matching their expectation exactly: {} of {}",
        runs.iter().filter(|r| r.problems().is_empty()).count(),
        runs.len()
    );
    out
}

/// Loads `(id, name)` of the rows of a table with the given ids in one statement: `= ANY($1)`
/// on PostgreSQL, `IN (?, ?, …)` on SQLite.
pub trait BatchLoad {
    /// `(id, name)` of the rows of `table` whose id is in `ids`.
    fn names_by_ids(
        &self,
        table: &str,
        ids: &[i64],
    ) -> impl Future<Output = Vec<(i64, String)>> + Send;
}

impl BatchLoad for sqlx::PgPool {
    async fn names_by_ids(&self, table: &str, ids: &[i64]) -> Vec<(i64, String)> {
        sqlx::query_as(crate::sql!(
            "SELECT id, name FROM {table} WHERE id = ANY($1) ORDER BY id"
        ))
        .bind(ids.to_vec())
        .fetch_all(self)
        .await
        .unwrap()
    }
}

impl BatchLoad for sqlx::SqlitePool {
    async fn names_by_ids(&self, table: &str, ids: &[i64]) -> Vec<(i64, String)> {
        let mut q = sqlx::QueryBuilder::new(format!("SELECT id, name FROM {table} WHERE id IN ("));
        let mut list = q.separated(", ");
        for id in ids {
            list.push_bind(*id);
        }
        q.push(") ORDER BY id");
        q.build_query_as().fetch_all(self).await.unwrap()
    }
}

/// One `#[tokio::test]` per scenario (used by [`crate::accuracy_suite!`]), and `TESTED`, their
/// names, so a test can check that every scenario has one.
#[doc(hidden)]
#[macro_export]
macro_rules! accuracy_tests {
    ($($name:ident),* $(,)?) => {
        const TESTED: &[&str] = &[$(stringify!($name)),*];
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                run_alone(stringify!($name)).await;
            }
        )*
    };
}

/// Generates the accuracy suite for one database: the application code, the labelled scenarios,
/// one test per scenario and `accuracy_summary`, which runs them all and prints the confusion
/// matrix.
///
/// - `pool`: an async expression giving `Option<Pool>` (`None`: skip, the helper said why);
/// - `pool_type`: the pool's type (`sqlx::SqlitePool`, `sqlx::PgPool`), which must implement
///   [`BatchLoad`];
/// - `db`: a short name used in table names;
/// - `ph`: `fn(usize) -> String` giving the n-th placeholder (`$1` or `?`).
#[macro_export]
macro_rules! accuracy_suite {
    (pool = $pool:expr, pool_type = $pool_type:ty, db = $db:literal, ph = $ph:expr $(,)?) => {
        use query_guard::allow::Allowance;
        use query_guard::{Budget, Report, Scope, capture_async};
        use tracing::Instrument;
        use $crate::accuracy::{
            self as acc, BatchLoad, BoxFuture, duplicate, expect, n_plus_one, sequence,
        };
        use $crate::sql;

        type Pool = $pool_type;
        type Cx = acc::Cx<Pool>;
        fn ph(n: usize) -> String {
            ($ph)(n)
        }

        /// The application code and the scenarios that run it (in a module: the tests have the
        /// scenarios' names).
        mod app {
            use super::*;

            /// (id, author_id, title)
            type Post = (i64, i64, String);
            /// (id, customer_id, status)
            type Order = (i64, i64, String);

            // ---------------------------------------------------------------------------------
            // The application: a blog and a shop, written as services usually are, with
            // loaders in their own functions, most of them instrumented.
            // ---------------------------------------------------------------------------------

            #[tracing::instrument(skip_all)]
            async fn list_authors(cx: &Cx) -> Vec<(i64, String)> {
                sqlx::query_as(sql!("SELECT id, name FROM {} ORDER BY id", cx.t.authors))
                    .fetch_all(&cx.pool).await.unwrap()
            }

            #[tracing::instrument(skip_all)]
            async fn posts_of_author(cx: &Cx, author_id: i64) -> Vec<(i64, String)> {
                sqlx::query_as(sql!("SELECT id, title FROM {} WHERE author_id = {} ORDER BY id", cx.t.posts, ph(1)))
                    .bind(author_id).fetch_all(&cx.pool).await.unwrap()
            }

            /// Posts matching `filter`, a fixed condition written by the caller.
            #[tracing::instrument(skip_all)]
            async fn posts_where(cx: &Cx, filter: &str) -> Vec<Post> {
                sqlx::query_as(sql!("SELECT id, author_id, title FROM {} WHERE {filter} ORDER BY id", cx.t.posts))
                    .fetch_all(&cx.pool).await.unwrap()
            }

            #[tracing::instrument(skip_all)]
            async fn author_name(cx: &Cx, id: i64) -> String {
                let (name,): (String,) = sqlx::query_as(sql!("SELECT name FROM {} WHERE id = {}", cx.t.authors, ph(1)))
                    .bind(id).fetch_one(&cx.pool).await.unwrap();
                name
            }

            #[tracing::instrument(skip_all)]
            async fn tags_of(cx: &Cx, post_id: i64) -> Vec<String> {
                let rows: Vec<(String,)> = sqlx::query_as(sql!(
                    "SELECT t.name FROM {} t JOIN {} pt ON pt.tag_id = t.id WHERE pt.post_id = {} ORDER BY t.name",
                    cx.t.tags, cx.t.post_tags, ph(1)
                ))
                .bind(post_id).fetch_all(&cx.pool).await.unwrap();
                rows.into_iter().map(|(n,)| n).collect()
            }

            /// (id, author_id, body) of a post's comments.
            #[tracing::instrument(skip_all)]
            async fn comments_of(cx: &Cx, post_id: i64) -> Vec<(i64, i64, String)> {
                sqlx::query_as(sql!("SELECT id, author_id, body FROM {} WHERE post_id = {} ORDER BY id", cx.t.comments, ph(1)))
                    .bind(post_id).fetch_all(&cx.pool).await.unwrap()
            }

            #[tracing::instrument(skip_all)]
            async fn list_orders(cx: &Cx) -> Vec<Order> {
                sqlx::query_as(sql!("SELECT id, customer_id, status FROM {} ORDER BY id", cx.t.orders))
                    .fetch_all(&cx.pool).await.unwrap()
            }

            #[tracing::instrument(skip_all)]
            async fn find_customer(cx: &Cx, id: i64) -> String {
                let (name,): (String,) = sqlx::query_as(sql!("SELECT name FROM {} WHERE id = {}", cx.t.customers, ph(1)))
                    .bind(id).fetch_one(&cx.pool).await.unwrap();
                name
            }

            /// (product_id, qty) of an order's items.
            #[tracing::instrument(skip_all)]
            async fn items_of(cx: &Cx, order_id: i64) -> Vec<(i64, i64)> {
                sqlx::query_as(sql!("SELECT product_id, qty FROM {} WHERE order_id = {} ORDER BY id", cx.t.order_items, ph(1)))
                    .bind(order_id).fetch_all(&cx.pool).await.unwrap()
            }

            /// (product_id, qty) of the items of orders 1 and 2.
            #[tracing::instrument(skip_all)]
            async fn items_of_first_orders(cx: &Cx) -> Vec<(i64, i64)> {
                sqlx::query_as(sql!("SELECT product_id, qty FROM {} WHERE order_id IN (1, 2) ORDER BY id", cx.t.order_items))
                    .fetch_all(&cx.pool).await.unwrap()
            }

            /// A setting, its key written into the SQL (as a query builder that inlines constants
            /// would).
            #[tracing::instrument(skip_all)]
            async fn setting(cx: &Cx, key: &str) -> String {
                let (value,): (String,) = sqlx::query_as(sql!("SELECT value FROM {} WHERE key = '{key}'", cx.t.settings))
                    .fetch_one(&cx.pool).await.unwrap();
                value
            }

            /// A customer's card, the id written into the SQL.
            #[tracing::instrument(skip_all)]
            async fn customer_card(cx: &Cx, id: i64) -> (i64, String) {
                sqlx::query_as(sql!("SELECT id, name FROM {} WHERE id = {id}", cx.t.customers))
                    .fetch_one(&cx.pool).await.unwrap()
            }

            /// Runs `future` in a scope and returns its report.
            async fn scoped<T>(name: &str, future: impl std::future::Future<Output = T>) -> Report {
                capture_async(name, future).await.1
            }

            // ---------------------------------------------------------------------------------
            // Must flag.
            // ---------------------------------------------------------------------------------

            #[tracing::instrument(skip_all)]
            async fn author_index(cx: &Cx) -> Vec<(String, usize)> {
                let mut index = Vec::new();
                for (id, name) in list_authors(cx).await {
                    index.push((name, posts_of_author(cx, id).await.len()));
                }
                index
            }

            fn children_per_parent(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /authors", author_index(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn orders_page(cx: &Cx) -> Vec<(i64, String, String)> {
                let mut rows = Vec::new();
                for (id, customer_id, status) in list_orders(cx).await {
                    rows.push((id, find_customer(cx, customer_id).await, status));
                }
                rows
            }

            fn related_row_per_row(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /orders", orders_page(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn import_tags(cx: &Cx, names: &[&str]) {
                for (i, name) in names.iter().enumerate() {
                    sqlx::query(sql!("INSERT INTO {} (id, name) VALUES ({}, {})", cx.t.tags, ph(1), ph(2)))
                        .bind(10 + i as i64).bind(*name).execute(&cx.pool).await.unwrap();
                }
            }

            fn insert_per_row(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move {
                    vec![scoped("import tags", import_tags(&cx, &["async", "tokio", "sqlx", "tracing"])).await]
                })
            }

            #[tracing::instrument(skip_all)]
            async fn reserve_stock(cx: &Cx) {
                for (product_id, qty) in items_of_first_orders(cx).await {
                    sqlx::query(sql!("UPDATE {} SET stock = stock - {} WHERE id = {}", cx.t.products, ph(1), ph(2)))
                        .bind(qty).bind(product_id).execute(&cx.pool).await.unwrap();
                }
            }

            fn update_per_row(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("reserve stock", reserve_stock(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn feed_with_tags(cx: &Cx) -> Vec<(i64, Vec<String>)> {
                let posts = posts_where(cx, "id > 0").await;
                let tasks: Vec<_> = posts
                    .iter()
                    .map(|&(id, _, _)| {
                        let cx = cx.clone();
                        query_guard::spawn(async move { (id, tags_of(&cx, id).await) })
                    })
                    .collect();
                let mut out = Vec::new();
                for task in tasks {
                    out.push(task.await.unwrap());
                }
                out
            }

            fn spawned_tasks(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /feed", feed_with_tags(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn send_reminders(cx: &Cx) -> usize {
                let mut sent = 0;
                for (i, (id, customer_id, status)) in list_orders(cx).await.into_iter().enumerate() {
                    let _name = find_customer(cx, customer_id).await;
                    if status == "pending" {
                        sqlx::query(sql!("UPDATE {} SET status = 'reminded' WHERE id = {}", cx.t.orders, ph(1)))
                            .bind(id).execute(&cx.pool).await.unwrap();
                        sent += 1;
                    }
                    if i == 2 {
                        // Halfway through, the job checks the shop is still open for orders.
                        let _: (i64,) = sqlx::query_as(sql!("SELECT count(*) FROM {} WHERE stock > 0", cx.t.products))
                            .fetch_one(&cx.pool).await.unwrap();
                    }
                }
                sent
            }

            fn interleaved(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("reminders", send_reminders(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn post_cards(cx: &Cx) -> Vec<(String, String, Vec<String>)> {
                let posts: Vec<Post> =
                    sqlx::query_as(sql!("SELECT id, author_id, title FROM {} ORDER BY id DESC LIMIT 4", cx.t.posts))
                    .fetch_all(&cx.pool).await.unwrap();
                let mut cards = Vec::new();
                for (id, author_id, title) in posts {
                    let author = author_name(cx, author_id).await;
                    cards.push((title, author, tags_of(cx, id).await));
                }
                cards
            }

            fn repeated_sequence(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /", post_cards(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn customer_summaries(cx: &Cx) -> Vec<(String, usize)> {
                let customers: Vec<(i64, String)> = sqlx::query_as(sql!("SELECT id, name FROM {} ORDER BY id", cx.t.customers))
                    .fetch_all(&cx.pool).await.unwrap();
                let mut out = Vec::new();
                for (id, name) in customers {
                    let orders: Vec<(i64, String)> = sqlx::query_as(sql!(
                        "SELECT id, status FROM {} WHERE customer_id = {} ORDER BY id", cx.t.orders, ph(1)
                    ))
                    .bind(id).fetch_all(&cx.pool).await.unwrap();
                    out.push((name, orders.len()));
                }
                out
            }

            fn threshold_exactly(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /customers", customer_summaries(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn purge_comments(cx: &Cx, post_id: i64) {
                let ids: Vec<(i64,)> = sqlx::query_as(sql!("SELECT id FROM {} WHERE post_id = {}", cx.t.comments, ph(1)))
                    .bind(post_id).fetch_all(&cx.pool).await.unwrap();
                for (id,) in ids {
                    sqlx::query(sql!("DELETE FROM {} WHERE id = {}", cx.t.comments, ph(1)))
                        .bind(id).execute(&cx.pool).await.unwrap();
                }
            }

            fn delete_per_row(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("purge", purge_comments(&cx, 3)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn render_post(cx: &Cx, post: &Post) -> String {
                format!("{} by {}", post.2, author_name(cx, post.1).await)
            }

            #[tracing::instrument(skip_all)]
            async fn render_feed(cx: &Cx) -> Vec<String> {
                let mut html = Vec::new();
                for post in posts_where(cx, "author_id IN (1, 2, 3)").await {
                    html.push(render_post(cx, &post).await);
                }
                html
            }

            fn helper_in_other_span(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /feed.html", render_feed(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn thread_view(cx: &Cx) -> Vec<(String, Vec<(String, String)>)> {
                let mut out = Vec::new();
                for (id, _, title) in posts_where(cx, "author_id IN (1, 2)").await {
                    let mut comments = Vec::new();
                    for (_, author_id, body) in comments_of(cx, id).await {
                        comments.push((author_name(cx, author_id).await, body));
                    }
                    out.push((title, comments));
                }
                out
            }

            fn nested(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /threads", thread_view(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn comment_counts(cx: &Cx) -> Vec<(String, usize)> {
                let mut out = Vec::new();
                for (id, _, title) in posts_where(cx, "author_id IN (3, 4)").await {
                    out.push((title, comments_of(cx, id).await.len()));
                }
                out
            }

            fn empty_children(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /authors/3/posts", comment_counts(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn invoice_lines(cx: &Cx) -> Vec<(String, i64)> {
                let mut lines = Vec::new();
                for (product_id, qty) in items_of_first_orders(cx).await {
                    let (name, price): (String, i64) = sqlx::query_as(sql!(
                        "SELECT name, price FROM {} WHERE id = {product_id}", cx.t.products
                    ))
                    .fetch_one(&cx.pool).await.unwrap();
                    lines.push((name, price * qty));
                }
                lines
            }

            fn pk_literals(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("invoice", invoice_lines(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn repack(cx: &Cx) {
                let mut tx = cx.pool.begin().await.unwrap();
                let items: Vec<(i64, i64)> =
                    sqlx::query_as(sql!("SELECT id, qty FROM {} WHERE order_id <= 3 ORDER BY id", cx.t.order_items))
                    .fetch_all(&mut *tx).await.unwrap();
                for (id, qty) in items {
                    sqlx::query(sql!("UPDATE {} SET qty = {} WHERE id = {}", cx.t.order_items, ph(1), ph(2)))
                        .bind(qty * 2).bind(id).execute(&mut *tx).await.unwrap();
                }
                tx.commit().await.unwrap();
            }

            fn inside_transaction(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("repack", repack(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn process_orders(cx: &Cx) -> usize {
                let orders: Vec<Order> = sqlx::query_as(sql!(
                    "SELECT id, customer_id, status FROM {} WHERE status <> 'shipped' ORDER BY id", cx.t.orders
                ))
                .fetch_all(&cx.pool).await.unwrap();
                let mut lines = 0;
                for (id, customer_id, _) in orders {
                    let _customer = find_customer(cx, customer_id).await;
                    lines += items_of(cx, id).await.len();
                    sqlx::query(sql!("UPDATE {} SET status = 'processing' WHERE id = {}", cx.t.orders, ph(1)))
                        .bind(id).execute(&cx.pool).await.unwrap();
                }
                lines
            }

            fn three_step_sequence(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("process orders", process_orders(&cx)).await] })
            }

            /// The two newest comments of a post since the reader's last visit.
            #[tracing::instrument(skip_all)]
            async fn newest_comments(cx: &Cx, post_id: i64, since: i64) -> Vec<(i64, String)> {
                sqlx::query_as(sql!(
                    "SELECT id, body FROM {} WHERE post_id = {} AND id > {} ORDER BY id DESC LIMIT 2",
                    cx.t.comments, ph(1), ph(2)
                ))
                .bind(post_id).bind(since).fetch_all(&cx.pool).await.unwrap()
            }

            #[tracing::instrument(skip_all)]
            async fn digest(cx: &Cx) -> Vec<(String, Vec<(i64, String)>)> {
                let mut out = Vec::new();
                for (id, _, title) in posts_where(cx, "id <= 3").await {
                    out.push((title, newest_comments(cx, id, 0).await));
                }
                out
            }

            fn top_k_per_parent(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("digest", digest(&cx)).await] })
            }

            // ---------------------------------------------------------------------------------
            // Must not flag.
            // ---------------------------------------------------------------------------------

            #[tracing::instrument(skip_all)]
            async fn add_items(cx: &Cx) {
                let rows = [(11_i64, 6_i64, 1_i64, 2_i64), (12, 6, 2, 1), (13, 6, 3, 1), (14, 6, 4, 1), (15, 6, 5, 3)];
                let mut q = sqlx::QueryBuilder::new(format!("INSERT INTO {} (id, order_id, product_id, qty) ", cx.t.order_items));
                q.push_values(rows, |mut b, (id, order, product, qty)| {
                    b.push_bind(id).push_bind(order).push_bind(product).push_bind(qty);
                });
                q.build().execute(&cx.pool).await.unwrap();
            }

            fn multi_row_insert(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("add items", add_items(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn order_header(cx: &Cx, customers: [i64; 2]) -> String {
                let mut names = Vec::new();
                for id in customers {
                    names.push(find_customer(cx, id).await);
                    tokio::task::yield_now().await;
                }
                format!("{} ({})", names.join(", "), setting(cx, "currency").await)
            }

            fn same_query_two_scopes(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move {
                    // Two requests at once, each loading customers 2 times (and the currency once):
                    // 4 runs of the lookup (and 2 of the currency) in all, but never 3 in one scope.
                    let (a, b) = tokio::join!(
                        scoped("GET /orders/1", order_header(&cx, [1, 2])),
                        scoped("GET /orders/2", order_header(&cx, [1, 3])),
                    );
                    vec![a, b]
                })
            }

            /// Reads the currency, retrying while the table is not there yet.
            #[tracing::instrument(skip_all)]
            async fn currency_with_retry(cx: &Cx) -> String {
                let q = format!("SELECT value FROM {} WHERE key = 'currency'", cx.t.late);
                for attempt in 1.. {
                    match sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(q.clone())).fetch_one(&cx.pool).await {
                        Ok((value,)) => return value,
                        Err(e) if attempt < 3 => {
                            tracing::debug!(%e, attempt, "retrying");
                            // Meanwhile another process finishes its migration: outside this scope
                            // (a task spawned without the scope's span).
                            let pool = cx.pool.clone();
                            let ddl = cx.t.create_late_sql();
                            tokio::spawn(async move {
                                sqlx::raw_sql(sqlx::AssertSqlSafe(ddl)).execute(&pool).await.unwrap();
                            })
                            .await
                            .unwrap();
                        }
                        Err(e) => panic!("{e}"),
                    }
                }
                unreachable!()
            }

            fn retry(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("currency", currency_with_retry(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn export_posts(cx: &Cx) -> usize {
                let (mut after, mut exported) = (0_i64, 0);
                loop {
                    let page: Vec<(i64, String)> = sqlx::query_as(sql!(
                        "SELECT id, title FROM {} WHERE id > {} ORDER BY id LIMIT 2", cx.t.posts, ph(1)
                    ))
                    .bind(after).fetch_all(&cx.pool).await.unwrap();
                    exported += page.len();
                    match page.last() {
                        Some(&(id, _)) if page.len() == 2 => after = id,
                        _ => return exported,
                    }
                }
            }

            fn keyset_pagination(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("export", export_posts(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn authenticate(cx: &Cx) -> (i64, String) {
                customer_card(cx, 1).await
            }

            #[tracing::instrument(skip_all)]
            async fn show_order(cx: &Cx, id: i64) -> (Order, (i64, String)) {
                let order: Order = sqlx::query_as(sql!("SELECT id, customer_id, status FROM {} WHERE id = {id}", cx.t.orders))
                    .fetch_one(&cx.pool).await.unwrap();
                let owner = customer_card(cx, order.1).await;
                (order, owner)
            }

            fn same_row_two_call_sites(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move {
                    vec![scoped("GET /orders/1", async {
                        let _user = authenticate(&cx).await; // the middleware
                        show_order(&cx, 1).await // the handler, whose order belongs to that user
                    })
                    .await]
                })
            }

            #[tracing::instrument(skip_all)]
            async fn checkout(cx: &Cx) {
                let mut conn = cx.pool.acquire().await.unwrap();
                for step in 0..3 {
                    sqlx::query("BEGIN").execute(&mut *conn).await.unwrap();
                    sqlx::query("SAVEPOINT before_step").execute(&mut *conn).await.unwrap();
                    match step {
                        0 => sqlx::query(sql!(
                            "INSERT INTO {} (id, customer_id, status) VALUES ({}, {}, 'new')",
                            cx.t.orders, ph(1), ph(2)
                        ))
                        .bind(6_i64).bind(1_i64).execute(&mut *conn).await.unwrap(),
                        1 => sqlx::query(sql!("UPDATE {} SET stock = stock - 1 WHERE id = {}", cx.t.products, ph(1)))
                            .bind(1_i64).execute(&mut *conn).await.unwrap(),
                        _ => sqlx::query(sql!(
                            "INSERT INTO {} (id, order_id, product_id, qty) VALUES ({}, {}, {}, 1)",
                            cx.t.order_items, ph(1), ph(2), ph(3)
                        ))
                        .bind(11_i64).bind(6_i64).bind(1_i64).execute(&mut *conn).await.unwrap(),
                    };
                    sqlx::query("RELEASE SAVEPOINT before_step").execute(&mut *conn).await.unwrap();
                    sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
                }
            }

            fn transaction_control(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("checkout", checkout(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn posts_with_authors(cx: &Cx) -> Vec<(i64, String, String)> {
                sqlx::query_as(sql!(
                    "SELECT p.id, p.title, a.name FROM {} p JOIN {} a ON a.id = p.author_id ORDER BY p.id",
                    cx.t.posts, cx.t.authors
                ))
                .fetch_all(&cx.pool).await.unwrap()
            }

            fn single_join(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /posts", posts_with_authors(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn posts_then_authors(cx: &Cx) -> Vec<(String, String)> {
                let posts = posts_where(cx, "id > 0").await;
                let mut ids: Vec<i64> = posts.iter().map(|p| p.1).collect();
                ids.sort_unstable();
                ids.dedup();
                let authors: std::collections::HashMap<i64, String> =
                    cx.pool.names_by_ids(&cx.t.authors, &ids).await.into_iter().collect();
                posts.into_iter().map(|(_, a, title)| (title, authors[&a].clone())).collect()
            }

            fn batched_load(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /posts", posts_then_authors(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn count_rows(cx: &Cx, table: &str) -> i64 {
                let (n,): (i64,) = sqlx::query_as(sql!("SELECT count(*) FROM {table}")).fetch_one(&cx.pool).await.unwrap();
                n
            }

            #[tracing::instrument(skip_all)]
            async fn dashboard(cx: &Cx) -> Vec<i64> {
                let mut counters = Vec::new();
                for table in [&cx.t.posts, &cx.t.comments, &cx.t.authors, &cx.t.tags] {
                    counters.push(count_rows(cx, table).await);
                }
                counters
            }

            fn different_shapes(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /admin", dashboard(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn author_page(cx: &Cx, author_id: i64) -> Vec<(String, usize)> {
                let mut out = Vec::new();
                for (id, title) in posts_of_author(cx, author_id).await {
                    out.push((title, comments_of(cx, id).await.len()));
                }
                out
            }

            fn below_threshold(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /authors/1", author_page(&cx, 1)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn export_items(cx: &Cx) -> usize {
                let mut offset = 0;
                loop {
                    let page: Vec<(i64, i64)> = sqlx::query_as(sql!(
                        "SELECT id, qty FROM {} ORDER BY id LIMIT 4 OFFSET {offset}", cx.t.order_items
                    ))
                    .fetch_all(&cx.pool).await.unwrap();
                    offset += page.len();
                    if page.len() < 4 {
                        return offset;
                    }
                }
            }

            fn offset_pagination(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("export items", export_items(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn post_counts(cx: &Cx) -> Vec<(String, i64)> {
                let mut out = Vec::new();
                for (id, name) in list_authors(cx).await {
                    let (n,): (i64,) = sqlx::query_as(sql!("SELECT count(*) FROM {} WHERE author_id = {}", cx.t.posts, ph(1)))
                        .bind(id).fetch_one(&cx.pool).await.unwrap();
                    out.push((name, n));
                }
                out
            }

            fn accepted_by_allowance(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move {
                    query_guard::install().expect("query-guard's subscriber");
                    let allowance = Allowance::n_plus_one(
                        &format!("FROM {} WHERE author_id", cx.t.posts),
                        "the nightly report counts per author to keep each statement on its index",
                    )
                    .unwrap();
                    let budget = Budget::new().deny_n_plus_one(true).allow(allowance);
                    let scope = Scope::builder("nightly report").budget(budget).in_test(true).open().unwrap();
                    post_counts(&cx).instrument(scope.span().clone()).await;
                    let report = scope.finish();
                    assert!(!report.failed(), "an allowed N+1 must not fail the scope: {report}");
                    vec![report]
                })
            }

            #[tracing::instrument(skip_all)]
            async fn price_list(cx: &Cx) -> Vec<String> {
                let mut out = Vec::new();
                for (id, _, _) in list_orders(cx).await {
                    // The currency is read again for every order: the same statement, the same value.
                    out.push(format!("order {id} in {}", setting(cx, "currency").await));
                }
                out
            }

            fn same_value_in_loop(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("GET /orders.csv", price_list(&cx)).await] })
            }

            /// The largest batch one statement may load (the bind-parameter limit, small here).
            const BATCH: usize = 2;

            #[tracing::instrument(skip_all)]
            async fn pick_list(cx: &Cx) -> Vec<(String, i64)> {
                let items: Vec<(i64, i64)> = sqlx::query_as(sql!("SELECT product_id, qty FROM {} ORDER BY id", cx.t.order_items))
                    .fetch_all(&cx.pool).await.unwrap();
                let mut ids: Vec<i64> = items.iter().map(|&(p, _)| p).collect();
                ids.sort_unstable();
                ids.dedup();
                let mut names = std::collections::HashMap::new();
                for chunk in ids.chunks(BATCH) {
                    names.extend(cx.pool.names_by_ids(&cx.t.products, chunk).await);
                }
                items.into_iter().map(|(p, qty)| (names[&p].clone(), qty)).collect()
            }

            fn chunked_batch_load(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move { vec![scoped("pick list", pick_list(&cx)).await] })
            }

            #[tracing::instrument(skip_all)]
            async fn import_tags_in_chunks(cx: &Cx, names: &[&str]) {
                let rows: Vec<(i64, &str)> = names.iter().enumerate().map(|(i, n)| (10 + i as i64, *n)).collect();
                for chunk in rows.chunks(BATCH) {
                    let mut q = sqlx::QueryBuilder::new(format!("INSERT INTO {} (id, name) ", cx.t.tags));
                    q.push_values(chunk, |mut b, &(id, name)| {
                        b.push_bind(id).push_bind(name);
                    });
                    q.build().execute(&cx.pool).await.unwrap();
                }
            }

            fn chunked_bulk_insert(cx: Cx) -> BoxFuture<Vec<Report>> {
                Box::pin(async move {
                    vec![scoped("import tags", import_tags_in_chunks(&cx, &["async", "tokio", "sqlx", "tracing", "serde"])).await]
                })
            }

            // ---------------------------------------------------------------------------------
            // The scenarios, labelled.
            // ---------------------------------------------------------------------------------

            pub(super) fn scenarios() -> Vec<acc::Scenario<Cx>> {
                fn s(
                    name: &'static str,
                    description: &'static str,
                    tables: &'static [&'static str],
                    expect: acc::Expect,
                    run: fn(Cx) -> BoxFuture<Vec<Report>>,
                ) -> acc::Scenario<Cx> {
                    acc::Scenario { name, description, tables, expect, run }
                }
                vec![
                    // Must flag.
                    s("children_per_parent", "a loop over the authors loading each one's posts",
                        &["authors", "posts"],
                        expect(5, [n_plus_one("posts", 4)]), children_per_parent),
                    s("related_row_per_row", "each order's customer looked up, one order at a time",
                        &["orders", "customers"],
                        expect(6, [n_plus_one("customers", 5)]), related_row_per_row),
                    s("insert_per_row", "an import inserting its rows one INSERT at a time",
                        &["tags"],
                        expect(4, [n_plus_one("tags", 4)]), insert_per_row),
                    s("update_per_row", "stock reserved with one UPDATE per order item",
                        &["order_items", "products"],
                        expect(6, [n_plus_one("products", 5)]), update_per_row),
                    s("spawned_tasks", "each post's tags loaded in its own spawned task",
                        &["posts", "tags", "post_tags"],
                        expect(7, [n_plus_one("post_tags,tags", 6)]), spawned_tasks),
                    s("interleaved", "per-order customer look-ups, with updates and a count in between",
                        &["orders", "customers", "products"],
                        expect(9, [n_plus_one("customers", 5)]), interleaved),
                    s("repeated_sequence", "each post card loads its author, then its tags",
                        &["posts", "authors", "tags", "post_tags"],
                        expect(9, [sequence(2, "authors,post_tags,tags", 4)]), repeated_sequence),
                    s("threshold_exactly", "3 customers, each one's orders loaded: the threshold exactly",
                        &["customers", "orders"],
                        expect(4, [n_plus_one("orders", 3)]), threshold_exactly),
                    s("delete_per_row", "a post's comments deleted one DELETE at a time",
                        &["comments"],
                        expect(4, [n_plus_one("comments", 3)]), delete_per_row),
                    s("helper_in_other_span", "a loop in one span calls a renderer that calls a loader",
                        &["posts", "authors"],
                        expect(6, [n_plus_one("authors", 5)]), helper_in_other_span),
                    s("nested", "posts, their comments, each comment's author: two nested N+1s",
                        &["posts", "comments", "authors"],
                        expect(11, [n_plus_one("comments", 3), n_plus_one("authors", 7)]), nested),
                    s("empty_children", "each post's comments loaded, and every post has none",
                        &["posts", "comments"],
                        expect(4, [n_plus_one("comments", 3)]), empty_children),
                    s("pk_literals", "each invoice line's product by primary key, the id inlined in the SQL",
                        &["order_items", "products"],
                        expect(6, [n_plus_one("products", 5)]), pk_literals),
                    s("inside_transaction", "per-row UPDATEs inside one transaction",
                        &["order_items"],
                        expect(7, [n_plus_one("order_items", 6)]), inside_transaction),
                    s("three_step_sequence", "each order: its customer, its items, then an UPDATE",
                        &["orders", "customers", "order_items"],
                        expect(13, [sequence(3, "customers,order_items,orders", 4)]), three_step_sequence),
                    s("top_k_per_parent", "each post's 2 newest comments since a date (LIMIT and a range)",
                        &["posts", "comments"],
                        expect(4, [n_plus_one("comments", 3)]), top_k_per_parent),
                    // Must not flag.
                    s("multi_row_insert", "5 order items inserted with one multi-row INSERT",
                        &["order_items"],
                        expect(1, []), multi_row_insert),
                    s("same_query_two_scopes", "two concurrent requests, each running a look-up twice",
                        &["customers", "settings"],
                        expect(6, []), same_query_two_scopes),
                    s("retry", "a read that fails (its table is missing) and succeeds when retried",
                        &["late"],
                        expect(2, []), retry),
                    s("keyset_pagination", "an export paging through posts by id, full pages of 2",
                        &["posts"],
                        expect(4, []), keyset_pagination),
                    s("same_row_two_call_sites", "the current user loaded by the middleware and again by the handler",
                        &["orders", "customers"],
                        expect(3, [duplicate("customers", 2)]), same_row_two_call_sites),
                    s("transaction_control", "three transactions with savepoints, each doing different work",
                        &["orders", "products", "order_items"],
                        expect(3, []).transactions(12), transaction_control),
                    s("single_join", "posts and their authors in one JOIN",
                        &["posts", "authors"],
                        expect(1, []), single_join),
                    s("batched_load", "posts, then all their authors in one batched statement",
                        &["posts", "authors"],
                        expect(2, []), batched_load),
                    s("different_shapes", "a dashboard counting 4 tables through one helper",
                        &["posts", "comments", "authors", "tags"],
                        expect(4, []), different_shapes),
                    s("below_threshold", "an author's 2 posts, each one's comments loaded: below the threshold",
                        &["posts", "comments"],
                        expect(3, []), below_threshold),
                    s("offset_pagination", "an export paging through order items with OFFSET, full pages of 4",
                        &["order_items"],
                        expect(3, []), offset_pagination),
                    s("accepted_by_allowance", "a per-author count the budget allows, with its reason",
                        &["authors", "posts"],
                        expect(5, [n_plus_one("posts", 4).allowed()]), accepted_by_allowance),
                    s("same_value_in_loop", "the currency setting read again for every order",
                        &["orders", "settings"],
                        expect(6, [duplicate("settings", 5)]), same_value_in_loop),
                    s("chunked_batch_load", "products loaded by id in batches of at most 2 (IN (…) / = ANY($1))",
                        &["order_items", "products"],
                        expect(4, []), chunked_batch_load),
                    s("chunked_bulk_insert", "5 tags imported as multi-row INSERTs of at most 2 rows",
                        &["tags"],
                        expect(3, []), chunked_bulk_insert),
                ]
            }
        }

        // ---------------------------------------------------------------------------------
        // The tests.
        // ---------------------------------------------------------------------------------

        /// Builds the scenario's tables, runs it, drops them, and compares.
        async fn run_scenario(pool: &Pool, scenario: &acc::Scenario<Cx>, test: &str) -> acc::Run {
            let t = std::sync::Arc::new(acc::Tables::new($db, test));
            sqlx::raw_sql(sqlx::AssertSqlSafe(t.create_sql(scenario.tables))).execute(pool).await.unwrap();
            let cx = acc::Cx { pool: pool.clone(), t: t.clone() };
            let started = std::time::Instant::now();
            let reports = (scenario.run)(cx).await;
            let elapsed = started.elapsed();
            sqlx::raw_sql(sqlx::AssertSqlSafe(t.drop_sql(scenario.tables))).execute(pool).await.unwrap();
            acc::Run::new(scenario, &t, reports, elapsed)
        }

        async fn run_alone(name: &str) {
            let Some(pool) = $pool else { return };
            let all = app::scenarios();
            let scenario = all.iter().find(|s| s.name == name).expect("a scenario of that name");
            run_scenario(&pool, scenario, name).await.assert_ok();
        }

        $crate::accuracy_tests!(
            children_per_parent,
            related_row_per_row,
            insert_per_row,
            update_per_row,
            spawned_tasks,
            interleaved,
            repeated_sequence,
            threshold_exactly,
            delete_per_row,
            helper_in_other_span,
            nested,
            empty_children,
            pk_literals,
            inside_transaction,
            three_step_sequence,
            top_k_per_parent,
            multi_row_insert,
            same_query_two_scopes,
            retry,
            keyset_pagination,
            same_row_two_call_sites,
            transaction_control,
            single_join,
            batched_load,
            different_shapes,
            below_threshold,
            offset_pagination,
            accepted_by_allowance,
            same_value_in_loop,
            chunked_batch_load,
            chunked_bulk_insert,
        );

        #[test]
        fn every_scenario_has_its_own_test() {
            let names: Vec<&str> = app::scenarios().iter().map(|s| s.name).collect();
            assert!(names.len() >= 20, "the suite needs at least 20 scenarios");
            assert_eq!(names, TESTED, "one test per scenario, in the same order");
        }

        /// Runs every scenario, prints the confusion matrix, and fails on any false positive,
        /// false negative or miscount.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn accuracy_summary() {
            let Some(pool) = $pool else { return };
            let started = std::time::Instant::now();
            let mut runs = Vec::new();
            for scenario in &app::scenarios() {
                runs.push(run_scenario(&pool, scenario, &format!("all_{}", scenario.name)).await);
            }
            println!("{}", acc::matrix($db, &runs, started.elapsed()));
            let (fp, fn_): (usize, usize) = runs
                .iter()
                .fold((0, 0), |(fp, fn_), r| (fp + r.false_positives.len(), fn_ + r.false_negatives.len()));
            if let Some(failed) = runs.iter().find(|r| !r.problems().is_empty()) {
                failed.assert_ok();
            }
            assert_eq!((fp, fn_), (0, 0), "false positives, false negatives");
        }
    };
}
