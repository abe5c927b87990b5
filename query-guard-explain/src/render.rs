//! # Printing a report
//!
//! Three forms of one report: text (the plan tree with a bar per node for its exclusive time,
//! then the findings, most costly first), markdown (for pull-request comments and CI summaries)
//! and JSON (schema in `docs/explain-schema.md`). Conditions and keys are printed with their
//! literal values masked unless [`RenderOptions::show_values`] is set.
//!
//! Large plans are cut down in text and markdown: past [`RenderOptions::max_nodes`] nodes, only
//! the nodes with a finding, those taking at least 1% of the time, and their ancestors are
//! printed, and a line says how many were left out. JSON always has every node.

use std::fmt::Write as _;

use serde::Serialize;

use crate::explained::Explained;
use crate::finding::Finding;
use crate::mask::mask_literals;
use crate::metrics::NodeMetrics;
use crate::model::{Engine, Format, Node, Plan};
use crate::rules::{count, ms, pct};

/// Version of the JSON report's schema (`docs/explain-schema.md`).
pub const SCHEMA_VERSION: u32 = 1;

/// The output format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OutputFormat {
    /// The plan tree with time bars, then the findings.
    #[default]
    Text,
    /// Markdown: a table of nodes and the findings.
    Markdown,
    /// JSON (`docs/explain-schema.md`).
    Json,
}

/// How to print a report.
#[derive(Debug, Clone)]
pub struct RenderOptions {
    /// Text, markdown or JSON.
    pub format: OutputFormat,
    /// Print literal values in conditions (off by default: they can be secrets).
    pub show_values: bool,
    /// Print every node up to this many; past it, only the ones that matter (text, markdown).
    pub max_nodes: usize,
    /// Where the plan came from, for the heading (a file name, `stdin`, a database).
    pub source: Option<String>,
}

impl Default for RenderOptions {
    fn default() -> Self {
        RenderOptions {
            format: OutputFormat::Text,
            show_values: false,
            max_nodes: 200,
            source: None,
        }
    }
}

impl Explained {
    /// The report as text, markdown or JSON, with these options.
    pub fn render(&self, options: &RenderOptions) -> String {
        render(self, options)
    }
}

impl std::fmt::Display for Explained {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&render(self, &RenderOptions::default()))
    }
}

fn render(ex: &Explained, opts: &RenderOptions) -> String {
    match opts.format {
        OutputFormat::Text => text(ex, opts),
        OutputFormat::Markdown => markdown(ex, opts),
        OutputFormat::Json => json(ex, opts),
    }
}

fn masked(expr: &str, opts: &RenderOptions) -> String {
    if opts.show_values {
        expr.to_owned()
    } else {
        mask_literals(expr)
    }
}

fn format_name(format: Format) -> &'static str {
    match format {
        Format::PostgresJson => "PostgreSQL, JSON",
        Format::PostgresText => "PostgreSQL, text",
        Format::SqliteTree => "SQLite, EXPLAIN QUERY PLAN tree",
        Format::SqliteRows => "SQLite, EXPLAIN QUERY PLAN rows",
    }
}

fn heading(ex: &Explained, opts: &RenderOptions) -> String {
    let p = &ex.plan;
    let mut parts = vec![format_name(p.format).to_owned()];
    let mut flags = Vec::new();
    if p.engine == Engine::Postgres {
        if p.options.analyze {
            flags.push("ANALYZE");
        }
        if p.options.buffers {
            flags.push("BUFFERS");
        }
        if p.options.analyze && !p.options.timing {
            flags.push("TIMING OFF");
        }
        if !p.options.costs {
            flags.push("COSTS OFF");
        }
    }
    if !flags.is_empty() {
        parts[0].push_str(&format!(" ({})", flags.join(", ")));
    }
    if let Some(e) = p.execution_ms {
        parts.push(format!("execution {}", ms(e)));
    } else if let Some(t) = ex.total_ms {
        parts.push(format!("{} in the root node", ms(t)));
    }
    if let Some(pl) = p.planning_ms {
        parts.push(format!("planning {}", ms(pl)));
    }
    if let Some(j) = p.jit {
        parts.push(format!("JIT {}", ms(j.total_ms)));
    }
    parts.push(format!(
        "{} node{}",
        count(p.nodes.len() as f64),
        if p.nodes.len() == 1 { "" } else { "s" }
    ));
    let source = opts
        .source
        .as_deref()
        .map(|s| format!("{s}: "))
        .unwrap_or_default();
    format!("{source}{}", parts.join(" · "))
}

/// Notes on what the plan lacks, so an empty findings list is not misread.
fn caveats(plan: &Plan) -> Vec<String> {
    let mut out = Vec::new();
    if plan.engine == Engine::Postgres && !plan.options.analyze {
        out.push(
            "No ANALYZE data: shares below are from estimated costs, and the rules that need \
             actual rows, loops, sorts and hashes could not run. Use EXPLAIN (ANALYZE, BUFFERS)."
                .to_owned(),
        );
    } else if plan.engine == Engine::Postgres && !plan.options.timing {
        out.push("No timing (TIMING OFF): shares below are from estimated costs.".to_owned());
    }
    if plan.engine == Engine::Sqlite {
        out.push(
            "SQLite plans have no row counts or times: findings come from the plan's shape."
                .to_owned(),
        );
    }
    out
}

/// Which nodes to print: all of them, or for large plans those that matter and their ancestors.
fn shown(ex: &Explained, opts: &RenderOptions) -> Vec<bool> {
    let n = ex.plan.nodes.len();
    if n <= opts.max_nodes {
        return vec![true; n];
    }
    let mut keep = vec![false; n];
    let mark = |id: usize, keep: &mut Vec<bool>| {
        let mut cur = Some(id);
        while let Some(c) = cur {
            if keep[c] {
                break;
            }
            keep[c] = true;
            cur = ex.plan.nodes[c].parent;
        }
    };
    for f in &ex.findings {
        if let Some(id) = f.node {
            mark(id, &mut keep);
        }
    }
    let mut by_share: Vec<(usize, f64)> = ex
        .metrics
        .iter()
        .enumerate()
        .filter_map(|(i, m)| m.share.filter(|s| *s >= 0.01).map(|s| (i, s)))
        .collect();
    by_share.sort_by(|a, b| b.1.partial_cmp(&a.1).unwrap_or(std::cmp::Ordering::Equal));
    for (i, _) in by_share.into_iter().take(opts.max_nodes) {
        mark(i, &mut keep);
    }
    for r in ex.plan.roots() {
        keep[r.id] = true;
    }
    keep
}

/// A bar of `width` cells for `share` (0 to 1), in eighths.
fn bar(share: f64, width: usize) -> String {
    let eighths = (share.clamp(0.0, 1.0) * (width * 8) as f64).round() as usize;
    let mut s = "█".repeat(eighths / 8);
    const PARTS: [&str; 8] = ["", "▏", "▎", "▍", "▌", "▋", "▊", "▉"];
    s.push_str(PARTS[eighths % 8]);
    let used = eighths / 8 + usize::from(!eighths.is_multiple_of(8));
    s.push_str(&" ".repeat(width.saturating_sub(used)));
    s
}

/// The short figures after a node's label.
fn stats(node: &Node, m: &NodeMetrics) -> String {
    let mut parts = Vec::new();
    if node.never_executed {
        parts.push("never executed".to_owned());
    } else if let Some(a) = node.actual {
        let mut s = format!("rows {}", count(a.rows));
        if a.loops > 1.0 {
            s.push_str(&format!(" × {} loops", count(a.loops)));
        }
        if let Some(e) = node.estimate {
            s.push_str(&format!(", est {}", count(e.rows)));
            if let Some(f) = m.estimate_factor.filter(|f| *f >= 10.0) {
                s.push_str(&format!(
                    " ({}x {})",
                    count(f.round()),
                    if m.underestimate { "under" } else { "over" }
                ));
            }
        }
        parts.push(s);
    } else if let Some(e) = node.estimate {
        parts.push(format!(
            "est rows {}, cost {}",
            count(e.rows),
            count(e.total_cost.round())
        ));
    }
    if let (Some(share), Some(removed)) = (m.removed_share, m.removed_total)
        && removed > 0.0
    {
        parts.push(format!("removed {} ({})", count(removed), pct(share)));
    }
    if let Some(b) = m.exclusive_buffers {
        let mut io = Vec::new();
        if b.reads() > 0.0 {
            io.push(format!("read {}", count(b.reads())));
        }
        if b.temp_read + b.temp_written > 0.0 {
            io.push(format!("temp {}", count(b.temp_read + b.temp_written)));
        }
        if !io.is_empty() {
            parts.push(format!("blocks {}", io.join(", ")));
        }
    }
    if let Some(s) = node.sort.as_ref().filter(|s| s.spilled()) {
        parts.push(format!("sort on disk {} kB", count(s.space_kb)));
    }
    if let Some(b) = node.hash.and_then(|h| h.batches).filter(|b| *b > 1.0) {
        parts.push(format!("{} batches", count(b)));
    }
    if let (Some(p), Some(l)) = (node.workers_planned, node.workers_launched) {
        parts.push(format!("workers {}/{}", count(l), count(p)));
    }
    parts.join("; ")
}

fn node_name(node: &Node) -> String {
    match &node.subplan {
        Some(s) => format!("{}: {}", s.name, node.label()),
        None => node.label(),
    }
}

fn text(ex: &Explained, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "query-guard explain · {}", heading(ex, opts));
    for c in caveats(&ex.plan) {
        let _ = writeln!(out, "  note: {c}");
    }
    out.push('\n');
    let timed = ex.metrics.iter().any(|m| m.share.is_some());
    let keep = shown(ex, opts);
    let from_cost = ex.metrics.iter().any(|m| m.share_from_cost);
    if timed {
        let _ = writeln!(
            out,
            "{:>5} {:>12} {:>6}  {:<10}  node",
            "#",
            if from_cost { "excl. cost" } else { "exclusive" },
            "share",
            ""
        );
    }
    // Tree prefixes, iteratively: for each node, whether each ancestor level has more siblings.
    let plan = &ex.plan;
    let last_root = plan.roots().last().map(|r| r.id);
    let last_child: Vec<bool> = plan
        .nodes
        .iter()
        .map(|n| match n.parent {
            Some(p) => plan.nodes[p].children.last() == Some(&n.id),
            None => last_root == Some(n.id),
        })
        .collect();
    let mut stack: Vec<bool> = Vec::new(); // per depth: "more siblings follow"
    let mut omitted = 0usize;
    for node in &plan.nodes {
        stack.truncate(node.depth);
        let prefix = if node.depth == 0 {
            String::new()
        } else {
            let mut p = String::new();
            let levels = &stack[1.min(stack.len())..];
            if levels.len() > 24 {
                p.push_str(&format!("…{} ", levels.len()));
            } else {
                for more in levels {
                    p.push_str(if *more { "│  " } else { "   " });
                }
            }
            p.push_str(if last_child[node.id] {
                "└─ "
            } else {
                "├─ "
            });
            p
        };
        stack.push(!last_child[node.id]);
        if !keep[node.id] {
            omitted += 1;
            continue;
        }
        let m = &ex.metrics[node.id];
        let figures = stats(node, m);
        let figures = if figures.is_empty() {
            String::new()
        } else {
            format!("  ({figures})")
        };
        if timed {
            let amount = if m.share_from_cost {
                m.exclusive_cost
                    .map(|c| count(c.round()))
                    .unwrap_or_default()
            } else {
                m.exclusive_ms.map(ms).unwrap_or_default()
            };
            let share = m.share.unwrap_or(0.0);
            let _ = writeln!(
                out,
                "{:>5} {:>12} {:>6}  {}  {prefix}{}{figures}",
                node.id + 1,
                amount,
                pct(share),
                bar(share, 10),
                node_name(node)
            );
        } else {
            let _ = writeln!(
                out,
                "{:>5}  {prefix}{}{figures}",
                node.id + 1,
                node_name(node)
            );
        }
        let pad = if timed { 39 } else { 7 };
        for c in &node.conditions {
            if matches!(
                c.kind.as_str(),
                "Filter" | "Index Cond" | "Join Filter" | "Hash Cond"
            ) {
                let cont: String = prefix.replace("└─ ", "   ").replace("├─ ", "│  ");
                let _ = writeln!(
                    out,
                    "{:pad$}{cont}   {}: {}",
                    "",
                    c.kind,
                    masked(&c.expr, opts)
                );
            }
        }
    }
    if omitted > 0 {
        let _ = writeln!(
            out,
            "      … {} more nodes, each under 1% of the time and without findings",
            count(omitted as f64)
        );
    }
    out.push('\n');
    findings_text(&mut out, &ex.findings, opts);
    out
}

fn findings_text(out: &mut String, findings: &[Finding], _opts: &RenderOptions) {
    if findings.is_empty() {
        out.push_str("No findings: nothing in this plan costs enough to report.\n");
        return;
    }
    let _ = writeln!(
        out,
        "{} finding{}, most costly first:",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" }
    );
    for (i, f) in findings.iter().enumerate() {
        let node = f.node.map(|n| format!(" #{}", n + 1)).unwrap_or_default();
        let cost = match (f.cost_ms, f.share) {
            (Some(c), Some(s)) => format!(" · {} ({})", ms(c), pct(s)),
            (Some(c), None) => format!(" · {}", ms(c)),
            _ => String::new(),
        };
        let _ = writeln!(
            out,
            "{:>3}. [{}] {}{node} {}{cost}",
            i + 1,
            f.severity.as_str().to_uppercase(),
            f.rule,
            f.target
        );
        let _ = writeln!(out, "     {}", f.title);
        let _ = writeln!(out, "     {}", f.detail);
        let _ = writeln!(out, "     Fix: {}", f.fix);
    }
}

fn markdown(ex: &Explained, opts: &RenderOptions) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "### query-guard explain\n\n{}\n", heading(ex, opts));
    for c in caveats(&ex.plan) {
        let _ = writeln!(out, "> {c}\n");
    }
    if ex.findings.is_empty() {
        out.push_str("No findings: nothing in this plan costs enough to report.\n\n");
    } else {
        let _ = writeln!(out, "| # | severity | rule | node | cost | finding | fix |");
        let _ = writeln!(out, "|---|---|---|---|---|---|---|");
        for (i, f) in ex.findings.iter().enumerate() {
            let cost = match (f.cost_ms, f.share) {
                (Some(c), Some(s)) => format!("{} ({})", ms(c), pct(s)),
                (Some(c), None) => ms(c),
                _ => String::new(),
            };
            let node = f.node.map(|n| format!("#{} ", n + 1)).unwrap_or_default();
            let _ = writeln!(
                out,
                "| {} | {} | `{}` | {node}{} | {cost} | {} | {} |",
                i + 1,
                f.severity,
                f.rule,
                md_cell(&f.target),
                md_cell(&f.title),
                md_cell(&f.fix)
            );
        }
        out.push('\n');
    }
    let keep = shown(ex, opts);
    out.push_str("<details><summary>Plan</summary>\n\n");
    let _ = writeln!(out, "| # | exclusive | share | node | rows |");
    let _ = writeln!(out, "|---:|---:|---:|---|---|");
    for node in &ex.plan.nodes {
        if !keep[node.id] {
            continue;
        }
        let m = &ex.metrics[node.id];
        let indent = "&nbsp;&nbsp;".repeat(node.depth.min(24));
        let _ = writeln!(
            out,
            "| {} | {} | {} | {indent}{} | {} |",
            node.id + 1,
            if m.share_from_cost {
                m.exclusive_cost
                    .map(|c| format!("cost {}", count(c.round())))
            } else {
                m.exclusive_ms.map(ms)
            }
            .unwrap_or_default(),
            m.share.map(pct).unwrap_or_default(),
            md_cell(&node_name(node)),
            md_cell(&stats(node, m))
        );
    }
    out.push_str("\n</details>\n");
    out
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

#[derive(Serialize)]
struct JsonReport<'a> {
    schema_version: u32,
    engine: Engine,
    format: Format,
    options: super::model::Options,
    total_ms: Option<f64>,
    planning_ms: Option<f64>,
    execution_ms: Option<f64>,
    jit: Option<super::model::Jit>,
    settings: &'a [(String, String)],
    triggers: &'a [super::model::Trigger],
    findings: &'a [Finding],
    nodes: Vec<JsonNode<'a>>,
}

#[derive(Serialize)]
struct JsonNode<'a> {
    label: String,
    #[serde(flatten)]
    node: Node,
    metrics: &'a NodeMetrics,
}

fn json(ex: &Explained, opts: &RenderOptions) -> String {
    let p = &ex.plan;
    let nodes = p
        .nodes
        .iter()
        .map(|n| {
            let mut node = n.clone();
            if !opts.show_values {
                for c in &mut node.conditions {
                    c.expr = mask_literals(&c.expr);
                }
                for (_, v) in &mut node.properties {
                    // Counts, flags and modes stay; anything else may be an expression.
                    let plain = v.parse::<f64>().is_ok() || v == "true" || v == "false";
                    if !plain {
                        *v = mask_literals(v);
                    }
                }
            }
            JsonNode {
                label: n.label(),
                node,
                metrics: &ex.metrics[n.id],
            }
        })
        .collect();
    let report = JsonReport {
        schema_version: SCHEMA_VERSION,
        engine: p.engine,
        format: p.format,
        options: p.options,
        total_ms: ex.total_ms,
        planning_ms: p.planning_ms,
        execution_ms: p.execution_ms,
        jit: p.jit,
        settings: &p.settings,
        triggers: &p.triggers,
        findings: &ex.findings,
        nodes,
    };
    let mut s = serde_json::to_string_pretty(&report).unwrap_or_else(|e| {
        // Serialising plain data cannot fail; say so rather than panic if it ever does.
        format!("{{\"error\": \"{e}\"}}")
    });
    s.push('\n');
    s
}
