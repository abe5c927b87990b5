//! Pass 2: the tree. A node at column `c` is the child of the nearest node above it whose
//! column is less than `c`; the trailers after the tree (planning and execution time, JIT,
//! settings, triggers) are read into the plan.

use super::details::{Nums, detail, pairs, read_buffers, read_io};
use super::label::node_line;
use super::names::find_unquoted;
use super::wrap::{Logical, Trailer, is_trigger, is_worker, key_of, subplan_header, trailer};
use crate::error::PlanError;
use crate::model::{Buffers, Engine, Figure, Format, Jit, Node, Plan, Subplan, Trigger, Wal};

pub(super) struct Reader {
    plan: Plan,
    /// (column, node index) of the open nodes, innermost last.
    stack: Vec<(usize, usize)>,
    root_col: usize,
    subplan: Option<Subplan>,
    /// Lines deeper than this column belong to a `Worker N:` line and are read past.
    worker_col: Option<usize>,
    /// The trailer block lines deeper than the root belong to, once the tree is over.
    block: Option<Trailer>,
    node_buffers: bool,
    any_buffers: bool,
    wal: bool,
}

fn sum(slot: &mut Option<f64>, v: Option<f64>) {
    if let Some(v) = v {
        *slot = Some(slot.unwrap_or(0.0) + v);
    }
}

impl Reader {
    pub(super) fn new(root_col: usize) -> Reader {
        Reader {
            plan: Plan::empty(Engine::Postgres, Format::PostgresText),
            stack: Vec::new(),
            root_col,
            subplan: None,
            worker_col: None,
            block: None,
            node_buffers: false,
            any_buffers: false,
            wal: false,
        }
    }

    fn add(&mut self, mut node: Node, col: usize) {
        while self.stack.last().is_some_and(|&(c, _)| c >= col) {
            self.stack.pop();
        }
        let id = self.plan.nodes.len();
        node.id = id;
        node.parent = self.stack.last().map(|&(_, p)| p);
        node.depth = self.stack.len();
        node.subplan = self.subplan.take();
        if let Some(p) = node.parent {
            self.plan.nodes[p].children.push(id);
        }
        self.plan.nodes.push(node);
        self.stack.push((col, id));
        self.worker_col = None;
        self.block = None;
    }

    pub(super) fn line(&mut self, line: &Logical) -> Result<(), PlanError> {
        let t = line.text.as_str();
        let col = line.col;
        if let Some(rest) = t.strip_prefix("->") {
            let start = 2 + (rest.len() - rest.trim_start().len());
            let node = node_line(line, start, true)?.unwrap_or_default();
            self.add(node, col);
            return Ok(());
        }
        if self.plan.nodes.is_empty() {
            return match node_line(line, 0, false)? {
                Some(node) => {
                    self.add(node, col);
                    Ok(())
                }
                None => Err(PlanError::NotAPlan { line: line.no }),
            };
        }
        let node_col = if self.block.is_some() {
            self.root_col
        } else {
            self.stack.last().map_or(self.root_col, |s| s.0)
        };
        if col <= node_col
            && let Some(tr) = trailer(t).or(is_trigger(t).then_some(Trailer::Trigger))
        {
            return self.trailer(tr, line);
        }
        if self.block.is_some() {
            if col > self.root_col {
                return self.block_line(line);
            }
            // A further plan (EXPLAIN of a statement rewritten into several).
            if let Some(node) = node_line(line, 0, false)? {
                self.stack.clear();
                self.add(node, col);
            }
            return Ok(());
        }
        if let Some(sp) = subplan_header(t) {
            // The header sits at its siblings' column: nodes from there on are closed.
            while self.stack.len() > 1 && self.stack.last().is_some_and(|&(c, _)| c >= col) {
                self.stack.pop();
            }
            self.subplan = Some(sp);
            self.worker_col = None;
            return Ok(());
        }
        if let Some(w) = self.worker_col {
            if col > w {
                return Ok(());
            }
            self.worker_col = None;
        }
        if is_worker(t) {
            // Per-worker figures: JSON's "Workers" array, which the model leaves out.
            self.worker_col = Some(col);
            return Ok(());
        }
        let Some(key) = key_of(t) else {
            // Pass 1 joins every line that starts nothing to the one before.
            return Ok(());
        };
        let value = t[key.len() + 1..].trim();
        let Some(&(_, idx)) = self.stack.last() else {
            return Ok(());
        };
        match key {
            "Buffers" | "I/O Timings" => {
                self.node_buffers = true;
                self.any_buffers = true;
            }
            "WAL" => self.wal = true,
            _ => {}
        }
        let mut nums = Nums::new(t);
        detail(&mut self.plan.nodes[idx], t, key, value, &mut nums);
        nums.finish(line)
    }

    fn trailer(&mut self, tr: Trailer, line: &Logical) -> Result<(), PlanError> {
        let t = line.text.as_str();
        let mut nums = Nums::new(t);
        let value = t.split_once(':').map_or("", |(_, v)| v.trim());
        self.block = Some(tr);
        match tr {
            Trailer::PlanningTime => sum(
                &mut self.plan.planning_ms,
                nums.get(value, Figure::Ms, "the planning time"),
            ),
            Trailer::ExecutionTime => sum(
                &mut self.plan.execution_ms,
                nums.get(value, Figure::Ms, "the execution time"),
            ),
            Trailer::Jit => {
                self.plan.jit.get_or_insert_with(Jit::default);
            }
            Trailer::Settings => self.plan.settings.extend(settings(value)),
            Trailer::Trigger => {
                if let Some(trigger) = trigger(t, &mut nums) {
                    self.plan.triggers.push(trigger);
                }
            }
            Trailer::Planning | Trailer::Other => {}
        }
        nums.finish(line)
    }

    fn block_line(&mut self, line: &Logical) -> Result<(), PlanError> {
        let t = line.text.as_str();
        let Some((key, value)) = t.split_once(':') else {
            return Ok(());
        };
        let mut nums = Nums::new(t);
        let value = value.trim();
        match (self.block, key) {
            (Some(Trailer::Planning), "Buffers") => {
                self.any_buffers = true;
                read_buffers(
                    value,
                    self.plan
                        .planning_buffers
                        .get_or_insert_with(Buffers::default),
                    &mut nums,
                );
            }
            (Some(Trailer::Planning), "I/O Timings") => read_io(
                value,
                self.plan
                    .planning_buffers
                    .get_or_insert_with(Buffers::default),
                &mut nums,
            ),
            (Some(Trailer::Jit), "Functions") => {
                let j = self.plan.jit.get_or_insert_with(Jit::default);
                j.functions = nums
                    .get(value, Figure::Count, "JIT functions")
                    .unwrap_or(0.0);
            }
            (Some(Trailer::Jit), "Timing") => {
                let j = self.plan.jit.get_or_insert_with(Jit::default);
                jit_timing(value, j, &mut nums);
            }
            _ => {}
        }
        nums.finish(line)
    }

    pub(super) fn finish(mut self, first_line: usize) -> Result<Plan, PlanError> {
        if self.plan.nodes.is_empty() {
            return Err(PlanError::NotAPlan { line: first_line });
        }
        let o = &mut self.plan.options;
        for n in &self.plan.nodes {
            o.costs |= n.estimate.is_some();
            o.analyze |= n.actual.is_some() || n.never_executed;
            o.timing |= n.actual.is_some_and(|a| a.total_ms.is_some());
        }
        o.buffers = self.node_buffers || (self.any_buffers && o.analyze);
        fill_json_defaults(&mut self.plan, self.wal);
        Ok(self.plan)
    }
}

/// `Generation 0.5 ms (Deform 0.1 ms), Inlining 0.0 ms, Optimization 0.2 ms, Emission 3.0 ms,
/// Total 3.7 ms`.
fn jit_timing(value: &str, j: &mut Jit, nums: &mut Nums<'_>) {
    let mut depth = 0i32;
    let mut start = 0;
    let mut parts = Vec::new();
    for (i, c) in value.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&value[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&value[start..]);
    for p in parts {
        let p = p.trim();
        let (name, rest) = p.split_once(' ').unwrap_or((p, ""));
        let v = nums.get(rest, Figure::Ms, "a JIT time").unwrap_or(0.0);
        match name {
            "Generation" => j.generation_ms = v,
            "Inlining" => j.inlining_ms = v,
            "Optimization" => j.optimization_ms = v,
            "Emission" => j.emission_ms = v,
            "Total" => j.total_ms = v,
            _ => {}
        }
    }
}

/// `work_mem = '64kB', search_path = '"$user", public'`: names and unquoted values.
fn settings(value: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = value.trim();
    while let Some((name, after)) = rest.split_once(" = ") {
        let name = name.trim().trim_start_matches(',').trim().to_owned();
        let after = after.trim_start();
        let (v, next) = if let Some(q) = after.strip_prefix('\'') {
            let mut v = String::new();
            let mut end = q.len();
            let mut chars = q.char_indices().peekable();
            while let Some((i, c)) = chars.next() {
                if c == '\'' {
                    if chars.peek().is_some_and(|&(_, n)| n == '\'') {
                        chars.next();
                        v.push('\'');
                        continue;
                    }
                    end = i + 1;
                    break;
                }
                v.push(c);
            }
            (v, &q[end.min(q.len())..])
        } else {
            let end = after.find(',').unwrap_or(after.len());
            (after[..end].trim().to_owned(), &after[end..])
        };
        out.push((name, v));
        rest = next.trim_start().trim_start_matches(',').trim_start();
    }
    out
}

/// `Trigger [name] [for constraint c] [on rel]: time=… calls=…`. The name is the constraint's
/// for a constraint trigger (the text format prints the trigger's own name only with
/// `VERBOSE`), else the trigger's: the JSON reader names them the same way.
fn trigger(t: &str, nums: &mut Nums<'_>) -> Option<Trigger> {
    let body = t.strip_prefix("Trigger")?;
    let colon = body.rfind(": time=").or_else(|| body.rfind(": calls="))?;
    let (head, figures) = (body[..colon].trim(), &body[colon + 1..]);
    let name = match find_unquoted(head, "for constraint ") {
        Some(i) => {
            let c = &head[i + "for constraint ".len()..];
            c.split_once(" on ").map_or(c, |(c, _)| c)
        }
        None => head.split_once(" on ").map_or(head, |(n, _)| n),
    };
    let mut trigger = Trigger {
        name: name.trim().to_owned(),
        time_ms: None,
        calls: 0.0,
    };
    for (k, v) in pairs(figures) {
        match k {
            "time" => trigger.time_ms = nums.get(v, Figure::Ms, "the trigger's time"),
            "calls" => {
                trigger.calls = nums
                    .get(v, Figure::Count, "the trigger's calls")
                    .unwrap_or(0.0);
            }
            _ => {}
        }
    }
    Some(trigger)
}

/// What JSON always prints and the text format prints only when it is not zero or not the
/// default; filled in so both formats of one plan give the same model:
///
/// - `Alias`: JSON names it for every scan, text only when it differs from the relation (done
///   in [`label`]).
/// - Buffers (`BUFFERS` with `ANALYZE`): JSON gives every node its counts, text leaves out
///   lines of zeros: every node gets zero counts when any node printed some. Planning buffers
///   likewise, when the plan has a planning time.
/// - WAL: as buffers, when any node printed a `WAL:` line.
/// - `Rows Removed by Filter` / `by Join Filter` / `by Index Recheck` (`ANALYZE`): JSON prints 0
///   for a node with that condition (Index Cond on index scans for the recheck), text nothing.
/// - `Exact Heap Blocks` / `Lossy Heap Blocks` of bitmap heap scans (`ANALYZE`): 0.
/// - Hash aggregates: `Disk Usage` 0 (`ANALYZE`), `Planned Partitions` 0 (with costs).
/// - Hash nodes: the original buckets and batches equal the final ones unless `originally`
///   says otherwise.
/// - Gather: `Single Copy` false. Append and Merge Append: `Subplans Removed` 0.
fn fill_json_defaults(plan: &mut Plan, wal: bool) {
    let o = plan.options;
    if o.buffers && plan.planning_ms.is_some() {
        plan.planning_buffers.get_or_insert_with(Buffers::default);
    }
    for n in &mut plan.nodes {
        if o.analyze {
            if o.buffers {
                n.buffers.get_or_insert_with(Buffers::default);
            }
            if wal {
                n.wal.get_or_insert_with(Wal::default);
            }
            let has = |k: &str| n.conditions.iter().any(|c| c.kind == k);
            if has("Filter") {
                n.rows_removed_by_filter.get_or_insert(0.0);
            }
            if has("Join Filter") {
                n.rows_removed_by_join_filter.get_or_insert(0.0);
            }
            let index_scan = matches!(n.kind.as_str(), "Index Scan" | "Index Only Scan");
            if has("Recheck Cond") || (index_scan && has("Index Cond")) {
                n.rows_removed_by_recheck.get_or_insert(0.0);
            }
            if n.kind == "Bitmap Heap Scan" {
                n.exact_heap_blocks.get_or_insert(0.0);
                n.lossy_heap_blocks.get_or_insert(0.0);
            }
        }
        let hash_agg =
            n.kind == "Aggregate" && matches!(n.strategy.as_deref(), Some("Hashed" | "Mixed"));
        if hash_agg {
            if let Some(h) = &mut n.hash {
                h.disk_kb.get_or_insert(0.0);
            }
            if o.costs && n.property("Planned Partitions").is_none() {
                n.properties.push(("Planned Partitions".into(), "0".into()));
            }
        }
        if n.kind == "Gather" && n.property("Single Copy").is_none() {
            n.properties.push(("Single Copy".into(), "false".into()));
        }
        if matches!(n.kind.as_str(), "Append" | "Merge Append")
            && n.property("Subplans Removed").is_none()
        {
            n.properties.push(("Subplans Removed".into(), "0".into()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::text;
    use crate::error::PlanError;

    #[test]
    fn options_follow_what_is_printed() {
        let costs_off = text(include_str!("../testdata/costs_off.txt"))
            .unwrap()
            .options;
        assert!(costs_off.analyze && costs_off.timing && !costs_off.costs && !costs_off.buffers);
        let timing_off = text(include_str!("../testdata/timing_off.txt"))
            .unwrap()
            .options;
        assert!(timing_off.analyze && !timing_off.timing && timing_off.costs);
        let plain = text(include_str!("../testdata/no_analyze.txt"))
            .unwrap()
            .options;
        assert!(!plain.analyze && !plain.timing && plain.costs && !plain.buffers);
    }

    #[test]
    fn not_a_plan() {
        assert_eq!(
            text("hello world\nthis is not a plan").unwrap_err(),
            PlanError::NotAPlan { line: 1 }
        );
        assert_eq!(
            text("\n\nPlanning Time: 0.1 ms").unwrap_err(),
            PlanError::NotAPlan { line: 3 }
        );
        // A plan without its trailer is fine.
        let plan = text("Seq Scan on t  (cost=0.00..1.00 rows=1 width=4)").unwrap();
        assert_eq!((plan.planning_ms, plan.execution_ms), (None, None));
    }

    #[test]
    fn ten_thousand_nodes_deep_and_wide() {
        use std::fmt::Write;
        let n = 10_000;
        let mut wide = String::from(
            "Append  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)\n",
        );
        for i in 0..n {
            writeln!(wide, "  ->  Seq Scan on t{i}  (cost=0.00..1.00 rows=1 width=4) (actual time=0.1..0.2 rows=1 loops=1)\n        Filter: (a = {i})").unwrap();
        }
        let mut deep = String::from("Limit  (cost=0.00..1.00 rows=1 width=4)\n");
        for i in 1..n {
            writeln!(
                deep,
                "{}->  Limit  (cost=0.00..1.00 rows=1 width=4)",
                " ".repeat(i)
            )
            .unwrap();
        }
        // How long this takes is measured in benches/explain.rs, never asserted here.
        for (input, depth) in [(wide, 1), (deep, n - 1)] {
            let plan = crate::read::parse(&input).unwrap();
            assert_eq!(plan.nodes.len(), n + usize::from(depth == 1));
            assert_eq!(plan.nodes.iter().map(|n| n.depth).max(), Some(depth));
        }
    }
}
