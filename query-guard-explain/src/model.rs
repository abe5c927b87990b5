//! # The plan model
//!
//! One model for every plan query-guard reads: PostgreSQL plans in JSON or text (any of
//! `ANALYZE`, `BUFFERS`, `VERBOSE`, `SETTINGS`, `WAL`, `COSTS`, `TIMING`), and SQLite
//! `EXPLAIN QUERY PLAN` output (the CLI's tree or the raw id/parent/detail rows).
//!
//! Nodes are kept in one vector in pre-order (a parent before its children, children in plan
//! order), linked by indices, so no algorithm over a plan needs recursion and a 10,000-node plan
//! costs no stack. Numbers are as the database printed them: PostgreSQL's actual times and rows
//! are **per loop** (averages over `loops`), its buffer counts include the node's children.
//! [`NodeMetrics`](crate::NodeMetrics) turns them into per-node totals.
//!
//! The PostgreSQL text form names a node the way `EXPLAIN` prints it (`HashAggregate`,
//! `Index Scan Backward using i on t`); the model keeps the JSON form's parts instead
//! (`Aggregate` with strategy `Hashed`, `Index Scan` with direction `Backward`), so the two
//! formats of one plan give the same model. [`Node::label`] rebuilds the printed name.
//!
//! ## Figures
//!
//! Every reader checks each number where it reads it, and rejects the plan (with the line and
//! column) when it is one PostgreSQL cannot print. So in every [`Plan`] a reader returns, every
//! figure is finite and non-negative, and:
//!
//! - times (milliseconds) are at most [`MAX_MS`];
//! - counts (loops, blocks, workers, batches, kB, WAL records and bytes, trigger calls, JIT
//!   functions, plan width) are whole numbers at most [`MAX_COUNT`];
//! - actual rows and rows removed (per loop, fractional from PostgreSQL 18) are at most
//!   [`MAX_COUNT`];
//! - costs and estimated rows are at most [`MAX_ESTIMATE`].
//!
//! A figure the readers add up is a sum of such values: shared and local I/O times (one field
//! in the model), and the planning and execution times and planning buffers of several
//! statements in one input. These bounds keep every sum and product
//! [`NodeMetrics`](crate::NodeMetrics) makes finite.

use serde::Serialize;

/// The longest time a plan may give, in milliseconds: 1e12 ms, about 31.7 years. Every time in
/// a plan (per-loop node times, planning, execution, triggers, JIT, I/O) is part of one run of
/// one statement, so a larger one is a corrupted plan, not a slow statement.
pub const MAX_MS: f64 = 1e12;

/// The largest count a plan may give: `u64::MAX` (PostgreSQL keeps its counters in 64 bits).
pub const MAX_COUNT: f64 = u64::MAX as f64;

/// The largest cost or estimated row count a plan may give: 1e300. PostgreSQL clamps row
/// estimates to 1e100 and costs grow with them; the bound keeps sums of costs over any plan
/// finite.
pub const MAX_ESTIMATE: f64 = 1e300;

/// What a number in a plan measures, and so which values are possible (see [Figures](self#figures)).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Figure {
    /// Milliseconds: 0 to [`MAX_MS`].
    Ms,
    /// A whole number: 0 to [`MAX_COUNT`].
    Count,
    /// Rows per loop, fractional from PostgreSQL 18: 0 to [`MAX_COUNT`].
    Rows,
    /// A cost or an estimated row count: 0 to [`MAX_ESTIMATE`].
    Estimate,
}

impl Figure {
    /// The number written as `text` (surrounding spaces ignored), when it is one this figure can
    /// be; `None` when it is not a number or not a possible one (tell them apart with
    /// `text.trim().parse::<f64>()`). `-0` reads as 0.
    pub(crate) fn read(self, text: &str) -> Option<f64> {
        let t = text.trim();
        let v = if self == Figure::Count && !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            // Exact up to u64::MAX, which a float comparison would round.
            t.parse::<u64>().ok()? as f64
        } else {
            let v: f64 = t.parse().ok()?;
            let below = match self {
                Figure::Ms => v <= MAX_MS,
                // 2^64 as a float is one past u64::MAX.
                Figure::Count => v.fract() == 0.0 && v < MAX_COUNT,
                Figure::Rows => v <= MAX_COUNT,
                Figure::Estimate => v <= MAX_ESTIMATE,
            };
            if !(v.is_finite() && v >= 0.0 && below) {
                return None;
            }
            v
        };
        Some(if v == 0.0 { 0.0 } else { v })
    }

    /// What a possible value is, for errors: `a whole number from 0 to 18446744073709551615`.
    pub(crate) fn expected(self) -> &'static str {
        match self {
            Figure::Ms => "a time from 0 to 1e12 ms (about 31.7 years)",
            Figure::Count => "a whole number from 0 to 18446744073709551615",
            Figure::Rows => "a number of rows from 0 to 18446744073709551615",
            Figure::Estimate => "a number from 0 to 1e300",
        }
    }
}

/// Which database produced a plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Engine {
    /// PostgreSQL `EXPLAIN`.
    Postgres,
    /// SQLite `EXPLAIN QUERY PLAN`.
    Sqlite,
}

/// The form a plan was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// `EXPLAIN (FORMAT JSON)`.
    PostgresJson,
    /// `EXPLAIN` in its default text format.
    PostgresText,
    /// The sqlite3 shell's tree (`QUERY PLAN`, `|--`, `` `-- ``).
    SqliteTree,
    /// The rows of `EXPLAIN QUERY PLAN`: id, parent, (notused), detail.
    SqliteRows,
}

/// What the plan contains, as far as its text shows (`EXPLAIN` options are not printed, so they
/// are inferred from what is there).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Options {
    /// Actual rows and loops are present (`ANALYZE`).
    pub analyze: bool,
    /// Actual times are present (`ANALYZE` with `TIMING` on).
    pub timing: bool,
    /// Costs and estimated rows are present (`COSTS`, on by default).
    pub costs: bool,
    /// Buffer counts are present (`BUFFERS`).
    pub buffers: bool,
}

/// A plan: its nodes and the statement-level figures printed after them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    /// The database.
    pub engine: Engine,
    /// The form it was read from.
    pub format: Format,
    /// What the plan contains.
    pub options: Options,
    /// Every node, in pre-order. PostgreSQL plans have one root (`nodes[0]`); SQLite plans may
    /// have several top-level lines, each a root.
    pub nodes: Vec<Node>,
    /// `Planning Time`, in milliseconds.
    pub planning_ms: Option<f64>,
    /// `Execution Time`, in milliseconds.
    pub execution_ms: Option<f64>,
    /// Buffers used by planning (`Planning:` with `BUFFERS`, PostgreSQL 13+).
    pub planning_buffers: Option<Buffers>,
    /// JIT compilation, when it ran.
    pub jit: Option<Jit>,
    /// Non-default planner settings (`SETTINGS`), name and value.
    pub settings: Vec<(String, String)>,
    /// Triggers fired by a write (`ANALYZE`).
    pub triggers: Vec<Trigger>,
}

impl Plan {
    /// A plan without nodes or statement-level figures, for a reader to fill.
    pub(crate) fn empty(engine: Engine, format: Format) -> Plan {
        Plan {
            engine,
            format,
            options: Options::default(),
            nodes: Vec::new(),
            planning_ms: None,
            execution_ms: None,
            planning_buffers: None,
            jit: None,
            settings: Vec::new(),
            triggers: Vec::new(),
        }
    }

    /// The nodes without a parent.
    pub fn roots(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.parent.is_none())
    }

    /// The children of `node`, in plan order.
    pub fn children<'a>(&'a self, node: &'a Node) -> impl Iterator<Item = &'a Node> + 'a {
        node.children.iter().map(move |&c| &self.nodes[c])
    }

    /// The ancestors of `node`, nearest first.
    pub fn ancestors<'a>(&'a self, node: &'a Node) -> impl Iterator<Item = &'a Node> + 'a {
        std::iter::successors(node.parent.map(|p| &self.nodes[p]), move |n| {
            n.parent.map(|p| &self.nodes[p])
        })
    }
}

/// A subplan's role: PostgreSQL prints these as headers above the node (`InitPlan 1`,
/// `SubPlan 2`, `CTE name`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SubplanKind {
    /// Runs once, before its value is first needed.
    InitPlan,
    /// Runs for every row of the node that uses it (a correlated subquery).
    SubPlan,
    /// A `WITH` query, run as its `CTE Scan`s read it.
    Cte,
}

/// The header of a subplan node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Subplan {
    /// What kind of subplan.
    pub kind: SubplanKind,
    /// The name as printed: `InitPlan 1 (returns $0)`, `SubPlan 2`, `CTE recent`.
    pub name: String,
}

/// The planner's estimate for a node (per loop).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Estimate {
    /// Cost before the first row.
    pub startup_cost: f64,
    /// Cost of all rows.
    pub total_cost: f64,
    /// Rows per loop.
    pub rows: f64,
    /// Average row width in bytes.
    pub width: f64,
}

/// What happened when the node ran (`ANALYZE`); times and rows are per loop.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Actual {
    /// Milliseconds to the first row, per loop (absent with `TIMING OFF`).
    pub startup_ms: Option<f64>,
    /// Milliseconds to the last row, per loop (absent with `TIMING OFF`).
    pub total_ms: Option<f64>,
    /// Rows per loop (fractional from PostgreSQL 18).
    pub rows: f64,
    /// How many times the node ran; 0 when it was never executed.
    pub loops: f64,
}

/// The condition kinds a node can carry, in the order PostgreSQL prints them.
pub(crate) const CONDITION_KINDS: [&str; 8] = [
    "Index Cond",
    "Recheck Cond",
    "TID Cond",
    "Merge Cond",
    "Hash Cond",
    "Join Filter",
    "One-Time Filter",
    "Filter",
];

/// A condition or expression attached to a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Condition {
    /// `Filter`, `Index Cond`, `Recheck Cond`, `Join Filter`, `Hash Cond`, `Merge Cond`,
    /// `TID Cond`, `One-Time Filter`.
    pub kind: String,
    /// The expression as printed. It may hold literal values: the reports mask them unless
    /// values were asked for ([`RenderOptions::show_values`](crate::RenderOptions::show_values)).
    pub expr: String,
}

/// Buffer counts (`BUFFERS`), in 8 kB blocks, and I/O timings in milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
#[allow(missing_docs)]
pub struct Buffers {
    pub shared_hit: f64,
    pub shared_read: f64,
    pub shared_dirtied: f64,
    pub shared_written: f64,
    pub local_hit: f64,
    pub local_read: f64,
    pub local_dirtied: f64,
    pub local_written: f64,
    pub temp_read: f64,
    pub temp_written: f64,
    /// Milliseconds reading (shared and local; `track_io_timing`).
    pub io_read_ms: f64,
    /// Milliseconds writing (shared and local; `track_io_timing`).
    pub io_write_ms: f64,
    /// Milliseconds reading temp files (PostgreSQL 15+).
    pub temp_io_read_ms: f64,
    /// Milliseconds writing temp files (PostgreSQL 15+).
    pub temp_io_write_ms: f64,
}

impl Buffers {
    /// Every field minus the same field of `other`, floored at zero.
    pub fn minus(&self, other: &Buffers) -> Buffers {
        let d = |a: f64, b: f64| (a - b).max(0.0);
        Buffers {
            shared_hit: d(self.shared_hit, other.shared_hit),
            shared_read: d(self.shared_read, other.shared_read),
            shared_dirtied: d(self.shared_dirtied, other.shared_dirtied),
            shared_written: d(self.shared_written, other.shared_written),
            local_hit: d(self.local_hit, other.local_hit),
            local_read: d(self.local_read, other.local_read),
            local_dirtied: d(self.local_dirtied, other.local_dirtied),
            local_written: d(self.local_written, other.local_written),
            temp_read: d(self.temp_read, other.temp_read),
            temp_written: d(self.temp_written, other.temp_written),
            io_read_ms: d(self.io_read_ms, other.io_read_ms),
            io_write_ms: d(self.io_write_ms, other.io_write_ms),
            temp_io_read_ms: d(self.temp_io_read_ms, other.temp_io_read_ms),
            temp_io_write_ms: d(self.temp_io_write_ms, other.temp_io_write_ms),
        }
    }

    /// Every field plus the same field of `other`.
    pub fn plus(&self, other: &Buffers) -> Buffers {
        Buffers {
            shared_hit: self.shared_hit + other.shared_hit,
            shared_read: self.shared_read + other.shared_read,
            shared_dirtied: self.shared_dirtied + other.shared_dirtied,
            shared_written: self.shared_written + other.shared_written,
            local_hit: self.local_hit + other.local_hit,
            local_read: self.local_read + other.local_read,
            local_dirtied: self.local_dirtied + other.local_dirtied,
            local_written: self.local_written + other.local_written,
            temp_read: self.temp_read + other.temp_read,
            temp_written: self.temp_written + other.temp_written,
            io_read_ms: self.io_read_ms + other.io_read_ms,
            io_write_ms: self.io_write_ms + other.io_write_ms,
            temp_io_read_ms: self.temp_io_read_ms + other.temp_io_read_ms,
            temp_io_write_ms: self.temp_io_write_ms + other.temp_io_write_ms,
        }
    }

    /// Blocks read from outside shared buffers (shared and local reads).
    pub fn reads(&self) -> f64 {
        self.shared_read + self.local_read
    }
}

/// Write-ahead log generated (`WAL`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Wal {
    /// WAL records.
    pub records: f64,
    /// Full-page images.
    pub fpi: f64,
    /// Bytes.
    pub bytes: f64,
}

/// A sort's method and memory (`Sort Method: external merge  Disk: 2344kB`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SortInfo {
    /// `quicksort`, `top-N heapsort`, `external sort`, `external merge`.
    pub method: String,
    /// `Memory` or `Disk`.
    pub space_type: String,
    /// Kilobytes used.
    pub space_kb: f64,
}

impl SortInfo {
    /// Whether the sort spilled to disk.
    pub fn spilled(&self) -> bool {
        self.space_type.eq_ignore_ascii_case("disk") || self.method.starts_with("external")
    }
}

/// A hash table's buckets, batches and memory (Hash nodes, and hash aggregates from
/// PostgreSQL 13, which print batches and disk usage only).
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct HashInfo {
    /// Buckets used (Hash nodes).
    pub buckets: Option<f64>,
    /// Buckets planned (Hash nodes).
    pub original_buckets: Option<f64>,
    /// Batches used: above 1, the table did not fit in `work_mem` and went to disk.
    pub batches: Option<f64>,
    /// Batches planned (Hash nodes).
    pub original_batches: Option<f64>,
    /// Peak memory in kB.
    pub memory_kb: Option<f64>,
    /// Disk used in kB (hash aggregates).
    pub disk_kb: Option<f64>,
}

/// JIT compilation (`JIT:`), milliseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Jit {
    /// Functions compiled.
    pub functions: f64,
    /// Generating code.
    pub generation_ms: f64,
    /// Inlining.
    pub inlining_ms: f64,
    /// Optimising.
    pub optimization_ms: f64,
    /// Emitting machine code.
    pub emission_ms: f64,
    /// All of it.
    pub total_ms: f64,
}

/// A trigger fired by a write (`Trigger for constraint fk: time=0.1 calls=3`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Trigger {
    /// The constraint's name for a constraint trigger (`Trigger for constraint fk`), else the
    /// trigger's name.
    pub name: String,
    /// Total milliseconds.
    pub time_ms: Option<f64>,
    /// Calls.
    pub calls: f64,
}

/// A name as PostgreSQL's `quote_identifier` prints it: bare when it is lower case letters,
/// digits and underscores (not starting with a digit) and not a reserved word, else in double
/// quotes with `""` for a quote.
pub(crate) fn quote_ident(name: &str) -> String {
    // quote_identifier quotes every keyword that is not unreserved: the reserved ones (the
    // fingerprint's list) and these column-name and type/function-name keywords.
    const NOT_RESERVED_BUT_QUOTED: &[&str] = &[
        "between",
        "bigint",
        "bit",
        "boolean",
        "char",
        "character",
        "coalesce",
        "dec",
        "decimal",
        "exists",
        "extract",
        "float",
        "greatest",
        "grouping",
        "inout",
        "int",
        "integer",
        "interval",
        "least",
        "national",
        "nchar",
        "none",
        "normalize",
        "nullif",
        "numeric",
        "out",
        "overlay",
        "position",
        "precision",
        "real",
        "row",
        "setof",
        "smallint",
        "substring",
        "time",
        "timestamp",
        "treat",
        "trim",
        "values",
        "varchar",
    ];
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
        && !query_guard_fingerprint::_support::is_reserved(name)
        && !NOT_RESERVED_BUT_QUOTED.contains(&name);
    if bare {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// One plan node.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Node {
    /// Index in [`Plan::nodes`].
    pub id: usize,
    /// The parent's index.
    pub parent: Option<usize>,
    /// The children's indices, in plan order.
    pub children: Vec<usize>,
    /// Distance from the root.
    pub depth: usize,
    /// PostgreSQL's `Node Type` (`Seq Scan`, `Hash Join`, `Aggregate`, `ModifyTable`); for SQLite
    /// the detail's leading words (`SCAN`, `SEARCH`, `USE TEMP B-TREE`, `CORRELATED SCALAR
    /// SUBQUERY`).
    pub kind: String,
    /// Set when the node heads an InitPlan, a SubPlan or a CTE.
    pub subplan: Option<Subplan>,
    /// The table scanned or written.
    pub relation: Option<String>,
    /// Its schema (`VERBOSE`).
    pub schema: Option<String>,
    /// The alias, when the plan prints one (PostgreSQL: when it differs from the table).
    pub alias: Option<String>,
    /// The index used.
    pub index: Option<String>,
    /// `Inner`, `Left`, `Full`, `Right`, `Semi`, `Anti` (`Right Semi`, `Right Anti` in 18).
    pub join_type: Option<String>,
    /// Aggregate and SetOp strategy: `Plain`, `Sorted`, `Hashed`, `Mixed`.
    pub strategy: Option<String>,
    /// Aggregate partial mode: `Partial` or `Finalize` (`Simple` is left out).
    pub partial_mode: Option<String>,
    /// ModifyTable operation (`Insert`, `Update`, `Delete`, `Merge`), SetOp command (`Except`,
    /// `Intersect`, …), Custom Scan provider, Function Scan function.
    pub operation: Option<String>,
    /// `Backward` for backward index scans (forward is left out).
    pub direction: Option<String>,
    /// Parallel-aware (`Parallel Seq Scan`).
    pub parallel_aware: bool,
    /// Asynchronous execution (`Async Foreign Scan`).
    pub async_capable: bool,
    /// Costs and estimated rows.
    pub estimate: Option<Estimate>,
    /// Actual times and rows (`ANALYZE`). `None` without `ANALYZE`, and for nodes never executed.
    pub actual: Option<Actual>,
    /// `(never executed)`.
    pub never_executed: bool,
    /// Gather and Gather Merge: workers planned.
    pub workers_planned: Option<f64>,
    /// Gather and Gather Merge: workers that started.
    pub workers_launched: Option<f64>,
    /// Conditions and filters, in printed order.
    pub conditions: Vec<Condition>,
    /// Rows removed by `Filter`, per loop.
    pub rows_removed_by_filter: Option<f64>,
    /// Rows removed by `Join Filter`, per loop.
    pub rows_removed_by_join_filter: Option<f64>,
    /// Rows removed by an index recheck, per loop.
    pub rows_removed_by_recheck: Option<f64>,
    /// Index-only scans: rows whose visibility had to be checked in the heap, in all loops.
    pub heap_fetches: Option<f64>,
    /// Bitmap heap scans: exact heap blocks.
    pub exact_heap_blocks: Option<f64>,
    /// Bitmap heap scans: lossy heap blocks (the bitmap did not fit in `work_mem`).
    pub lossy_heap_blocks: Option<f64>,
    /// Sorts.
    pub sort: Option<SortInfo>,
    /// Hash nodes and hash aggregates.
    pub hash: Option<HashInfo>,
    /// Buffer counts as printed (they include the children's).
    pub buffers: Option<Buffers>,
    /// WAL as printed (includes the children's).
    pub wal: Option<Wal>,
    /// SQLite: the detail text as printed (`SEARCH users USING INDEX users_email (email=?)`).
    pub detail: Option<String>,
    /// Everything else the plan says about the node, key and value as printed (`Sort Key`,
    /// `Group Key`, `Output`, `Cache Key`, `Planned Partitions`, …). Keys are the JSON names.
    pub properties: Vec<(String, String)>,
}

impl Node {
    /// The node's name as PostgreSQL's text format prints it (`Parallel Seq Scan on orders o`,
    /// `Index Scan Backward using orders_pkey on orders`, `HashAggregate`, `Hash Left Join`);
    /// the detail for SQLite.
    pub fn label(&self) -> String {
        if let Some(detail) = &self.detail {
            return detail.clone();
        }
        let mut s = String::new();
        if self.partial_mode.is_some() {
            s.push_str(self.partial_mode.as_deref().unwrap_or(""));
            s.push(' ');
        }
        if self.parallel_aware {
            s.push_str("Parallel ");
        }
        if self.async_capable {
            s.push_str("Async ");
        }
        let k = self.kind.as_str();
        match k {
            "Aggregate" => s.push_str(match self.strategy.as_deref() {
                Some("Hashed") => "HashAggregate",
                Some("Sorted") => "GroupAggregate",
                Some("Mixed") => "MixedAggregate",
                _ => "Aggregate",
            }),
            "SetOp" => {
                if self.strategy.as_deref() == Some("Hashed") {
                    s.push_str("HashSetOp");
                } else {
                    s.push_str("SetOp");
                }
                if let Some(op) = &self.operation {
                    s.push(' ');
                    s.push_str(op);
                }
            }
            "ModifyTable" => s.push_str(self.operation.as_deref().unwrap_or("ModifyTable")),
            "Nested Loop" | "Hash Join" | "Merge Join" => {
                s.push_str(k);
                if let Some(j) = self.join_type.as_deref().filter(|j| *j != "Inner") {
                    // "Hash Left Join", "Nested Loop Left Join".
                    if k == "Nested Loop" {
                        s.push(' ');
                        s.push_str(j);
                        s.push_str(" Join");
                    } else {
                        s.truncate(s.len() - " Join".len());
                        s.push(' ');
                        s.push_str(j);
                        s.push_str(" Join");
                    }
                }
            }
            "Custom Scan" => {
                s.push_str(k);
                if let Some(op) = &self.operation {
                    s.push_str(" (");
                    s.push_str(op);
                    s.push(')');
                }
            }
            // "Foreign Update on t"; a plain foreign scan has operation "Select".
            "Foreign Scan" => match self.operation.as_deref() {
                Some(op) if op != "Select" => {
                    s.push_str("Foreign ");
                    s.push_str(op);
                }
                _ => s.push_str(k),
            },
            _ => s.push_str(k),
        }
        if let Some(d) = &self.direction {
            s.push(' ');
            s.push_str(d);
        }
        if let Some(index) = &self.index {
            // A bitmap index scan names only its index: "Bitmap Index Scan on i".
            s.push_str(if k == "Bitmap Index Scan" {
                " on "
            } else {
                " using "
            });
            s.push_str(&quote_ident(index));
        }
        let target = self.relation.as_ref().or(match k {
            "CTE Scan"
            | "Subquery Scan"
            | "Function Scan"
            | "Values Scan"
            | "WorkTable Scan"
            | "Named Tuplestore Scan"
            | "Table Function Scan" => self.alias.as_ref(),
            _ => None,
        });
        if let Some(rel) = target {
            s.push_str(" on ");
            if let Some(schema) = &self.schema {
                s.push_str(&quote_ident(schema));
                s.push('.');
            }
            s.push_str(&quote_ident(rel));
            if let Some(alias) = &self.alias
                && Some(alias) != Some(rel)
            {
                s.push(' ');
                s.push_str(&quote_ident(alias));
            }
        }
        s
    }

    /// The first condition of `kind`.
    pub fn condition(&self, kind: &str) -> Option<&str> {
        self.conditions
            .iter()
            .find(|c| c.kind == kind)
            .map(|c| c.expr.as_str())
    }

    /// A property by its JSON name.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// Whether the node reads a table (a scan with a relation).
    pub fn is_scan(&self) -> bool {
        self.kind.ends_with("Scan") && self.relation.is_some()
    }

    /// Loops, 0 when never executed, `None` without `ANALYZE`.
    pub fn loops(&self) -> Option<f64> {
        if self.never_executed {
            return Some(0.0);
        }
        self.actual.map(|a| a.loops)
    }
}

#[cfg(test)]
mod figure_tests {
    use super::Figure;

    #[test]
    fn possible_values_only() {
        assert_eq!(
            Figure::Count.read("18446744073709551615"),
            Some(u64::MAX as f64)
        );
        assert_eq!(Figure::Count.read(" 12 "), Some(12.0));
        assert_eq!(Figure::Count.read("3.0"), Some(3.0));
        assert_eq!(Figure::Count.read("-0"), Some(0.0));
        assert!(Figure::Count.read("-0").unwrap().is_sign_positive());
        for bad in [
            "18446744073709551616",
            "1.8446744073709552e19",
            "-1",
            "1.5",
            "1e400",
            "inf",
            "NaN",
            "x",
            "",
        ] {
            assert_eq!(Figure::Count.read(bad), None, "{bad}");
        }
        assert_eq!(Figure::Rows.read("0.5"), Some(0.5));
        assert_eq!(Figure::Rows.read("-0.5"), None);
        assert_eq!(Figure::Ms.read("1e12"), Some(1e12));
        for bad in ["1.0000001e12", "1e308", "-0.001", "Infinity", "nan"] {
            assert_eq!(Figure::Ms.read(bad), None, "{bad}");
        }
        assert_eq!(Figure::Estimate.read("1e300"), Some(1e300));
        assert_eq!(Figure::Estimate.read("1e301"), None);
        assert_eq!(Figure::Estimate.read("-1"), None);
    }
}
