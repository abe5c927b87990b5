//! # Per-node figures
//!
//! PostgreSQL prints, for each node, times and rows **per loop** and buffers **including the
//! children's**. What a reader wants is what the node itself cost over the whole statement:
//!
//! - **inclusive time** = actual total time × loops, divided by the processes that ran it when it
//!   is below a `Gather` (a parallel node's loops are its processes, which run at the same time,
//!   so its per-loop time is already wall-clock time);
//! - **exclusive time** = inclusive time minus the children's inclusive time. SubPlans run inside
//!   the node they hang from, so they are subtracted from it. An InitPlan runs when its result
//!   (`$1`, or `(InitPlan 1).col1` from PostgreSQL 16) is first needed, which can be in a node
//!   below the one it hangs from: its time is taken off the deepest node whose conditions use
//!   it, or off its parent when none does. A CTE runs as its `CTE Scan`s pull rows, so its time
//!   is taken off those scans (in plan order, never below zero) and not off the node it hangs
//!   from;
//! - **share** = exclusive time ÷ the statement's execution time (the root's time when the plan
//!   has no `Execution Time`);
//! - **estimate factor** = how many times the actual rows per loop exceed the estimate or fall
//!   short of it (both floored at one row), and in which direction;
//! - **removed share** = rows removed by the filter (and join filter) ÷ the rows the node looked at;
//! - **exclusive buffers** and temp I/O = the node's buffers minus its children's, by the same rule.
//!
//! Plans without timing (`EXPLAIN` alone, or `TIMING OFF`) have no times: shares are then computed
//! from costs (exclusive cost ÷ the root's total cost) and said to be estimates.
//!
//! ```
//! use query_guard_explain as explain;
//! let ex = explain::analyze(r#"[{"Plan": {"Node Type": "Hash Join", "Actual Total Time": 10.0,
//!     "Actual Rows": 5, "Actual Loops": 1, "Plan Rows": 5, "Total Cost": 20.0,
//!     "Plans": [{"Node Type": "Seq Scan", "Relation Name": "a", "Actual Total Time": 3.0,
//!                "Actual Rows": 100, "Actual Loops": 2, "Plan Rows": 1, "Total Cost": 5.0}]},
//!     "Execution Time": 10.0}]"#).unwrap();
//! let m = &ex.metrics;
//! assert_eq!(m[1].inclusive_ms, Some(6.0)); // 3 ms × 2 loops
//! assert_eq!(m[0].exclusive_ms, Some(4.0)); // 10 − 6
//! assert_eq!(m[1].estimate_factor, Some(100.0));
//! assert!(m[1].underestimate);
//! ```

use serde::Serialize;

use super::model::{Buffers, Node, Plan, SubplanKind};

/// Figures for one node, derived from the plan.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NodeMetrics {
    /// Milliseconds spent in the node and its children over all loops (wall clock).
    pub inclusive_ms: Option<f64>,
    /// Milliseconds spent in the node itself.
    pub exclusive_ms: Option<f64>,
    /// Exclusive time ÷ the statement's time (0 to 1); from costs when the plan has no times.
    pub share: Option<f64>,
    /// Whether `share` comes from costs rather than times.
    pub share_from_cost: bool,
    /// Estimated cost of the node itself (total cost minus the children's).
    pub exclusive_cost: Option<f64>,
    /// Actual rows over all loops.
    pub rows_total: Option<f64>,
    /// How far off the row estimate was (1 = exact), actual and estimate floored at one row.
    pub estimate_factor: Option<f64>,
    /// More rows than estimated (the factor is an underestimate).
    pub underestimate: bool,
    /// Rows removed by the node's filters ÷ the rows it looked at (0 to 1).
    pub removed_share: Option<f64>,
    /// Rows the node's filters removed over all loops.
    pub removed_total: Option<f64>,
    /// Buffers of the node itself.
    pub exclusive_buffers: Option<Buffers>,
    /// Processes that ran the node at once (1 outside parallel plans).
    pub processes: f64,
}

/// The statement's time in milliseconds: `Execution Time`, or the roots' inclusive time.
pub(crate) fn total_ms(plan: &Plan, metrics: &[NodeMetrics]) -> Option<f64> {
    plan.execution_ms.or_else(|| {
        let roots: Vec<f64> = plan
            .roots()
            .filter_map(|r| metrics[r.id].inclusive_ms)
            .collect();
        (!roots.is_empty()).then(|| roots.iter().sum())
    })
}

/// Computes every node's figures (indexed like [`Plan::nodes`]). Linear in the plan's size.
pub(crate) fn compute(plan: &Plan) -> Vec<NodeMetrics> {
    let nodes = &plan.nodes;
    let mut m: Vec<NodeMetrics> = Vec::with_capacity(nodes.len());
    // Pre-order: parents come first, so the process count can be inherited.
    for node in nodes {
        let inherited = node.parent.map_or(1.0, |p| m[p].processes);
        let processes = if matches!(node.kind.as_str(), "Gather" | "Gather Merge") {
            1.0
        } else if let Some(p) = node.parent.map(|p| &nodes[p])
            && matches!(p.kind.as_str(), "Gather" | "Gather Merge")
            // An InitPlan or SubPlan of the Gather runs in the leader alone.
            && node.subplan.is_none()
        {
            p.workers_launched.map_or(1.0, |w| w + 1.0)
        } else {
            inherited
        };
        let loops = node.loops();
        let inclusive_ms = match (node.never_executed, node.actual) {
            (true, _) if plan.options.timing => Some(0.0),
            (_, Some(a)) => a
                .total_ms
                .map(|t| t * a.loops / processes.min(a.loops).max(1.0)),
            _ => None,
        };
        let rows_total = match (node.never_executed, node.actual) {
            (true, _) => Some(0.0),
            (_, Some(a)) => Some(a.rows * a.loops),
            _ => None,
        };
        let (estimate_factor, underestimate) = match (node.estimate, node.actual) {
            (Some(e), Some(a)) if !node.never_executed => {
                let (actual, est) = (a.rows.max(1.0), e.rows.max(1.0));
                (Some((actual / est).max(est / actual)), actual > est)
            }
            _ => (None, false),
        };
        let removed = match (
            node.rows_removed_by_filter,
            node.rows_removed_by_join_filter,
        ) {
            (None, None) => None,
            (f, j) => Some(f.unwrap_or(0.0) + j.unwrap_or(0.0)),
        };
        let (removed_share, removed_total) = match (removed, node.actual) {
            (Some(r), Some(a)) => {
                let seen = r + a.rows;
                (
                    Some(if seen > 0.0 { r / seen } else { 0.0 }),
                    Some(r * loops.unwrap_or(1.0)),
                )
            }
            _ => (None, None),
        };
        m.push(NodeMetrics {
            inclusive_ms,
            rows_total,
            estimate_factor,
            underestimate,
            removed_share,
            removed_total,
            processes,
            ..NodeMetrics::default()
        });
    }

    // Exclusive figures: subtract the children (CTEs from their scans instead).
    let mut cte_left: Vec<(String, Option<f64>, Option<Buffers>)> = nodes
        .iter()
        .filter(|n| {
            n.subplan
                .as_ref()
                .is_some_and(|s| s.kind == SubplanKind::Cte)
        })
        .map(|n| {
            let name = n
                .subplan
                .as_ref()
                .map(|s| s.name["CTE ".len()..].to_owned());
            (name.unwrap_or_default(), m[n.id].inclusive_ms, n.buffers)
        })
        .collect();
    // Where each InitPlan's time is spent: (user node, InitPlan node).
    let mut moved: Vec<(usize, usize)> = Vec::new();
    for node in nodes {
        if let Some(user) = initplan_user(plan, node) {
            moved.push((user, node.id));
        }
    }
    for node in nodes {
        let counted: Vec<&Node> = plan
            .children(node)
            .filter(|c| {
                !c.subplan
                    .as_ref()
                    .is_some_and(|s| s.kind == SubplanKind::Cte)
            })
            .filter(|c| !moved.iter().any(|&(_, init)| init == c.id))
            .chain(
                moved
                    .iter()
                    .filter(|&&(user, _)| user == node.id)
                    .map(|&(_, init)| &nodes[init]),
            )
            .collect();
        let mut exclusive_ms = m[node.id].inclusive_ms.map(|t| {
            t - counted
                .iter()
                .filter_map(|c| m[c.id].inclusive_ms)
                .sum::<f64>()
        });
        let mut exclusive_buffers = node.buffers.map(|b| {
            counted
                .iter()
                .filter_map(|c| c.buffers)
                .fold(b, |acc, c| acc.minus(&c))
        });
        if node.kind == "CTE Scan"
            && let Some(name) = &node.relation
            && let Some(cte) = cte_left.iter_mut().find(|(n, _, _)| n == name)
        {
            if let (Some(own), Some(left)) = (exclusive_ms.as_mut(), cte.1.as_mut()) {
                let taken = left.min(*own).max(0.0);
                *own -= taken;
                *left -= taken;
            }
            if let (Some(own), Some(left)) = (exclusive_buffers.as_mut(), cte.2.as_mut()) {
                let before = *own;
                *own = own.minus(left);
                *left = left.minus(&before);
            }
        }
        m[node.id].exclusive_ms = exclusive_ms.map(|t| t.max(0.0));
        m[node.id].exclusive_buffers = exclusive_buffers;
        m[node.id].exclusive_cost = node.estimate.map(|e| {
            let children: f64 = counted
                .iter()
                .filter_map(|c| c.estimate.map(|e| e.total_cost))
                .sum();
            (e.total_cost - children).max(0.0)
        });
    }

    // Shares.
    let timed = m.iter().any(|x| x.exclusive_ms.is_some());
    if let Some(total) = total_ms(plan, &m).filter(|t| *t > 0.0 && timed) {
        for x in m.iter_mut() {
            x.share = x.exclusive_ms.map(|t| (t / total).min(1.0));
        }
    } else {
        let total: f64 = plan
            .roots()
            .filter_map(|r| r.estimate.map(|e| e.total_cost))
            .sum();
        if total > 0.0 {
            for x in m.iter_mut() {
                x.share = x.exclusive_cost.map(|c| (c / total).min(1.0));
                x.share_from_cost = x.share.is_some();
            }
        }
    }
    m
}

/// The node an InitPlan's time is spent in, when it is not the node it hangs from: the deepest
/// node of the parent's subtree (outside the InitPlan itself) whose conditions use its result.
fn initplan_user(plan: &Plan, node: &Node) -> Option<usize> {
    let sub = node
        .subplan
        .as_ref()
        .filter(|s| s.kind == SubplanKind::InitPlan)?;
    let parent = &plan.nodes[node.parent?];
    // "InitPlan 1 (returns $0,$1)" up to PostgreSQL 15; "(InitPlan 1).col1" from 16.
    let mut refs: Vec<String> = Vec::new();
    if let Some(i) = sub.name.find("(returns ") {
        let list = sub.name[i + "(returns ".len()..].trim_end_matches(')');
        refs.extend(list.split(',').map(|p| p.trim().to_owned()));
    } else {
        refs.push(format!("({})", sub.name.trim()));
    }
    let uses = |n: &Node| {
        n.conditions.iter().any(|c| {
            refs.iter().any(|r| {
                c.expr.match_indices(r.as_str()).any(|(at, _)| {
                    !c.expr[at + r.len()..]
                        .chars()
                        .next()
                        .is_some_and(|ch| ch.is_ascii_digit())
                })
            })
        })
    };
    // Pre-order ids: the parent's subtree is the ids after it with a greater depth.
    let mut best: Option<&Node> = None;
    let mut skip_below: Option<usize> = None;
    for n in plan.nodes[parent.id + 1..].iter() {
        if n.depth <= parent.depth {
            break;
        }
        if let Some(d) = skip_below {
            if n.depth > d {
                continue;
            }
            skip_below = None;
        }
        if n.id == node.id {
            skip_below = Some(n.depth);
            continue;
        }
        if uses(n) && best.is_none_or(|b| n.depth > b.depth) {
            best = Some(n);
        }
    }
    best.map(|b| b.id)
}
