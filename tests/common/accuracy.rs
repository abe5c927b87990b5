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

// The macros that generate the suite, one file per part of it. Their bodies are kept as written
// (`#[rustfmt::skip]`): rustfmt left them alone when they were one macro.
mod app;
mod must_flag;
mod must_not_flag;
mod scenarios;
mod suite;

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
