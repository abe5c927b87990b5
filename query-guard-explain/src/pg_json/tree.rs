//! The plan built from the JSON value: statements, nodes with their figures, triggers and JIT.

use serde_json::{Map, Value};

use crate::error::PlanError;
use crate::model::CONDITION_KINDS as CONDITIONS;
use crate::model::{
    Actual, Buffers, Condition, Engine, Estimate, Format, HashInfo, Jit, Node, Options, Plan,
    SortInfo, Subplan, SubplanKind, Trigger, Wal,
};

pub(super) fn from_value(value: &Value) -> Result<Plan, PlanError> {
    let statements: Vec<&Map<String, Value>> = match value {
        Value::Array(items) => items
            .iter()
            .map(|v| v.as_object())
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| PlanError::syntax(1, 1, "an array of objects with a \"Plan\" key"))?,
        Value::Object(map) => vec![map],
        _ => return Err(PlanError::syntax(1, 1, "a JSON array or object")),
    };
    if statements.is_empty() {
        return Err(PlanError::Empty);
    }
    let mut plan = Plan::empty(Engine::Postgres, Format::PostgresJson);
    for stmt in statements {
        let root = stmt
            .get("Plan")
            .and_then(Value::as_object)
            .ok_or_else(|| PlanError::syntax(1, 1, "a \"Plan\" object in each statement"))?;
        add_tree(&mut plan, root)?;
        let add = |slot: &mut Option<f64>, v: Option<f64>| {
            if let Some(v) = v {
                *slot = Some(slot.unwrap_or(0.0) + v);
            }
        };
        add(&mut plan.planning_ms, num(stmt, "Planning Time"));
        add(&mut plan.execution_ms, num(stmt, "Execution Time"));
        if let Some(p) = stmt.get("Planning").and_then(Value::as_object) {
            let b = buffers(p);
            if b.is_some() {
                plan.planning_buffers = Some(
                    plan.planning_buffers
                        .unwrap_or_default()
                        .plus(&b.unwrap_or_default()),
                );
            }
        }
        if let Some(j) = stmt.get("JIT").and_then(Value::as_object) {
            plan.jit = Some(jit(j));
        }
        if let Some(s) = stmt.get("Settings").and_then(Value::as_object) {
            plan.settings
                .extend(s.iter().map(|(k, v)| (k.clone(), scalar(v))));
        }
        if let Some(t) = stmt.get("Triggers").and_then(Value::as_array) {
            plan.triggers
                .extend(t.iter().filter_map(Value::as_object).map(trigger));
        }
    }
    Ok(plan)
}

/// The name is the constraint's for a constraint trigger, else the trigger's: the text format
/// prints a constraint trigger's own name (an internal `RI_ConstraintTrigger_…`) only with
/// `VERBOSE`, so this is the name both formats agree on.
fn trigger(t: &Map<String, Value>) -> Trigger {
    let name = str_of(t, "Constraint Name")
        .or_else(|| str_of(t, "Trigger Name"))
        .unwrap_or_default();
    Trigger {
        name,
        time_ms: num(t, "Time"),
        calls: num(t, "Calls").unwrap_or(0.0),
    }
}

fn jit(j: &Map<String, Value>) -> Jit {
    let timing = j.get("Timing").and_then(Value::as_object);
    let t = |key: &str| -> f64 {
        match timing.and_then(|t| t.get(key)) {
            Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
            // PostgreSQL 17+: "Generation": {"Deform": …, "Total": …}.
            Some(Value::Object(o)) => o.get("Total").and_then(Value::as_f64).unwrap_or(0.0),
            _ => 0.0,
        }
    };
    Jit {
        functions: num(j, "Functions").unwrap_or(0.0),
        generation_ms: t("Generation"),
        inlining_ms: t("Inlining"),
        optimization_ms: t("Optimization"),
        emission_ms: t("Emission"),
        total_ms: t("Total"),
    }
}

/// Adds `root` and its descendants in pre-order, without recursion.
fn add_tree(plan: &mut Plan, root: &Map<String, Value>) -> Result<(), PlanError> {
    // (object, parent index, depth)
    let mut stack: Vec<(&Map<String, Value>, Option<usize>, usize)> = vec![(root, None, 0)];
    while let Some((obj, parent, depth)) = stack.pop() {
        let id = plan.nodes.len();
        let mut node = node(obj, &mut plan.options).map_err(|e| match e {
            PlanError::Syntax { expected, .. } => PlanError::syntax(
                1,
                1,
                format!("{expected} (node {} in plan order has none)", id + 1),
            ),
            e => e,
        })?;
        node.id = id;
        node.parent = parent;
        node.depth = depth;
        if let Some(p) = parent {
            plan.nodes[p].children.push(id);
        }
        plan.nodes.push(node);
        if let Some(children) = obj.get("Plans").and_then(Value::as_array) {
            for child in children.iter().rev() {
                let child = child
                    .as_object()
                    .ok_or_else(|| PlanError::syntax(1, 1, "objects in every \"Plans\" array"))?;
                stack.push((child, Some(id), depth + 1));
            }
        }
    }
    Ok(())
}

fn num(obj: &Map<String, Value>, key: &str) -> Option<f64> {
    let v = match obj.get(key)? {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    };
    v.filter(|v: &f64| v.is_finite())
}

fn str_of(obj: &Map<String, Value>, key: &str) -> Option<String> {
    obj.get(key).and_then(Value::as_str).map(str::to_owned)
}

/// A property value as text: arrays joined with ", " (as the text format prints them).
fn scalar(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) => items.iter().map(scalar).collect::<Vec<_>>().join(", "),
        Value::Object(map) => map
            .iter()
            .map(|(k, v)| format!("{k}: {}", scalar(v)))
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Buffer block counts, in [`Buffers`]' field order.
pub(super) const BUFFER_BLOCKS: [&str; 10] = [
    "Shared Hit Blocks",
    "Shared Read Blocks",
    "Shared Dirtied Blocks",
    "Shared Written Blocks",
    "Local Hit Blocks",
    "Local Read Blocks",
    "Local Dirtied Blocks",
    "Local Written Blocks",
    "Temp Read Blocks",
    "Temp Written Blocks",
];

fn buffers(obj: &Map<String, Value>) -> Option<Buffers> {
    let keys = BUFFER_BLOCKS;
    if !keys.iter().any(|k| obj.contains_key(*k)) {
        return None;
    }
    let n = |k: &str| num(obj, k).unwrap_or(0.0);
    Some(Buffers {
        shared_hit: n(keys[0]),
        shared_read: n(keys[1]),
        shared_dirtied: n(keys[2]),
        shared_written: n(keys[3]),
        local_hit: n(keys[4]),
        local_read: n(keys[5]),
        local_dirtied: n(keys[6]),
        local_written: n(keys[7]),
        temp_read: n(keys[8]),
        temp_written: n(keys[9]),
        // PostgreSQL ≤ 15: "I/O Read Time"; 16+: shared and local apart.
        io_read_ms: n("I/O Read Time") + n("Shared I/O Read Time") + n("Local I/O Read Time"),
        io_write_ms: n("I/O Write Time") + n("Shared I/O Write Time") + n("Local I/O Write Time"),
        temp_io_read_ms: n("Temp I/O Read Time"),
        temp_io_write_ms: n("Temp I/O Write Time"),
    })
}

/// Keys read into typed fields, besides [`BUFFER_BLOCKS`] and the conditions (everything else
/// becomes a property).
const TYPED: &[&str] = &[
    "Node Type",
    "Parent Relationship",
    "Subplan Name",
    "Parallel Aware",
    "Async Capable",
    "Relation Name",
    "Schema",
    "Alias",
    "Index Name",
    "CTE Name",
    "Function Name",
    "Tuplestore Name",
    "Table Function Name",
    // Printed by the text format with VERBOSE only: left out so both formats agree.
    "Inner Unique",
    "Join Type",
    "Strategy",
    "Partial Mode",
    "Operation",
    "Command",
    "Custom Plan Provider",
    "Scan Direction",
    "Startup Cost",
    "Total Cost",
    "Plan Rows",
    "Plan Width",
    "Actual Startup Time",
    "Actual Total Time",
    "Actual Rows",
    "Actual Loops",
    "Workers Planned",
    "Workers Launched",
    "Rows Removed by Filter",
    "Rows Removed by Join Filter",
    "Rows Removed by Index Recheck",
    "Heap Fetches",
    "Exact Heap Blocks",
    "Lossy Heap Blocks",
    "Sort Method",
    "Sort Space Used",
    "Sort Space Type",
    "Hash Buckets",
    "Original Hash Buckets",
    "Hash Batches",
    "Original Hash Batches",
    "HashAgg Batches",
    "Disk Usage",
    "WAL Records",
    "WAL FPI",
    "WAL Bytes",
    "I/O Read Time",
    "I/O Write Time",
    "Shared I/O Read Time",
    "Shared I/O Write Time",
    "Local I/O Read Time",
    "Local I/O Write Time",
    "Temp I/O Read Time",
    "Temp I/O Write Time",
    // Per-worker details and children are read elsewhere or left out of the model.
    "Workers",
    "Plans",
];

fn node(obj: &Map<String, Value>, options: &mut Options) -> Result<Node, PlanError> {
    let kind = str_of(obj, "Node Type")
        .ok_or_else(|| PlanError::syntax(1, 1, "a \"Node Type\" in every plan node"))?;
    let subplan = str_of(obj, "Subplan Name").map(|name| Subplan {
        kind: if name.starts_with("CTE ") {
            SubplanKind::Cte
        } else if name.starts_with("InitPlan") {
            SubplanKind::InitPlan
        } else {
            SubplanKind::SubPlan
        },
        name,
    });
    let flag = |k: &str| obj.get(k).and_then(Value::as_bool).unwrap_or(false);
    let estimate = match (num(obj, "Total Cost"), num(obj, "Plan Rows")) {
        (Some(total), Some(rows)) => {
            options.costs = true;
            Some(Estimate {
                startup_cost: num(obj, "Startup Cost").unwrap_or(0.0),
                total_cost: total,
                rows,
                width: num(obj, "Plan Width").unwrap_or(0.0),
            })
        }
        _ => None,
    };
    let loops = num(obj, "Actual Loops");
    let never_executed = loops == Some(0.0);
    let actual = match (loops, num(obj, "Actual Rows")) {
        (Some(loops), Some(rows)) if loops > 0.0 => {
            let (startup_ms, total_ms) = (
                num(obj, "Actual Startup Time"),
                num(obj, "Actual Total Time"),
            );
            options.timing |= total_ms.is_some();
            Some(Actual {
                startup_ms,
                total_ms,
                rows,
                loops,
            })
        }
        _ => None,
    };
    options.analyze |= loops.is_some();
    let buffers = buffers(obj);
    options.buffers |= buffers.is_some();
    let hash_agg = num(obj, "HashAgg Batches").is_some();
    let hash = if num(obj, "Hash Batches").is_some() || hash_agg {
        Some(HashInfo {
            buckets: num(obj, "Hash Buckets"),
            original_buckets: num(obj, "Original Hash Buckets"),
            batches: num(obj, "Hash Batches").or(num(obj, "HashAgg Batches")),
            original_batches: num(obj, "Original Hash Batches"),
            memory_kb: num(obj, "Peak Memory Usage"),
            disk_kb: num(obj, "Disk Usage"),
        })
    } else {
        None
    };
    let sort = str_of(obj, "Sort Method").map(|method| SortInfo {
        method,
        space_type: str_of(obj, "Sort Space Type").unwrap_or_default(),
        space_kb: num(obj, "Sort Space Used").unwrap_or(0.0),
    });
    let wal = num(obj, "WAL Records").map(|records| Wal {
        records,
        fpi: num(obj, "WAL FPI").unwrap_or(0.0),
        bytes: num(obj, "WAL Bytes").unwrap_or(0.0),
    });
    let conditions = CONDITIONS
        .iter()
        .filter_map(|k| {
            str_of(obj, k).map(|expr| Condition {
                kind: (*k).to_owned(),
                expr,
            })
        })
        .collect();
    let properties = obj
        .iter()
        .filter(|(k, v)| {
            let k = k.as_str();
            // PostgreSQL 18 prints "Disabled" for every node in JSON, and in text only when
            // true: false is left out so both formats agree.
            let not_disabled = k == "Disabled" && v.as_bool() == Some(false);
            let typed = TYPED.contains(&k)
                || BUFFER_BLOCKS.contains(&k)
                || CONDITIONS.contains(&k)
                || (hash.is_some() && k == "Peak Memory Usage");
            !typed && !not_disabled
        })
        .map(|(k, v)| (k.clone(), scalar(v)))
        .collect();
    let relation = str_of(obj, "Relation Name")
        .or_else(|| str_of(obj, "CTE Name"))
        .or_else(|| str_of(obj, "Function Name"))
        .or_else(|| str_of(obj, "Tuplestore Name"))
        .or_else(|| str_of(obj, "Table Function Name"));
    Ok(Node {
        kind,
        subplan,
        relation,
        schema: str_of(obj, "Schema"),
        alias: str_of(obj, "Alias"),
        index: str_of(obj, "Index Name"),
        join_type: str_of(obj, "Join Type"),
        strategy: str_of(obj, "Strategy"),
        partial_mode: str_of(obj, "Partial Mode").filter(|m| m != "Simple"),
        operation: str_of(obj, "Operation")
            .or_else(|| str_of(obj, "Command"))
            .or_else(|| str_of(obj, "Custom Plan Provider")),
        direction: str_of(obj, "Scan Direction").filter(|d| d == "Backward"),
        parallel_aware: flag("Parallel Aware"),
        async_capable: flag("Async Capable"),
        estimate,
        actual,
        never_executed,
        workers_planned: num(obj, "Workers Planned"),
        workers_launched: num(obj, "Workers Launched"),
        conditions,
        rows_removed_by_filter: num(obj, "Rows Removed by Filter"),
        rows_removed_by_join_filter: num(obj, "Rows Removed by Join Filter"),
        rows_removed_by_recheck: num(obj, "Rows Removed by Index Recheck"),
        heap_fetches: num(obj, "Heap Fetches"),
        exact_heap_blocks: num(obj, "Exact Heap Blocks"),
        lossy_heap_blocks: num(obj, "Lossy Heap Blocks"),
        sort,
        hash,
        buffers,
        wal,
        detail: None,
        properties,
        ..Node::default()
    })
}

#[cfg(test)]
mod tests {
    use crate::pg_json::parse;

    /// PostgreSQL 18: fractional rows per loop, `Index Searches`, `Disabled`, WAL buffers full.
    #[test]
    fn postgres_18_json() {
        let plan = parse(
            r#"[{"Plan": {"Node Type": "Nested Loop", "Parallel Aware": false, "Async Capable": false,
                "Join Type": "Inner", "Disabled": false, "Startup Cost": 0.29, "Total Cost": 90.5,
                "Plan Rows": 10, "Plan Width": 8, "Actual Startup Time": 0.02, "Actual Total Time": 0.9,
                "Actual Rows": 10.00, "Actual Loops": 1, "Inner Unique": true,
                "Plans": [
                  {"Node Type": "Seq Scan", "Parent Relationship": "Outer", "Relation Name": "a",
                   "Alias": "a", "Disabled": false, "Startup Cost": 0, "Total Cost": 1.1,
                   "Plan Rows": 10, "Plan Width": 4, "Actual Startup Time": 0.01,
                   "Actual Total Time": 0.02, "Actual Rows": 10.00, "Actual Loops": 1},
                  {"Node Type": "Index Scan", "Parent Relationship": "Inner", "Index Name": "b_pkey",
                   "Relation Name": "b", "Alias": "b", "Disabled": true, "Startup Cost": 0.29,
                   "Total Cost": 8.3, "Plan Rows": 1, "Plan Width": 4, "Actual Startup Time": 0.05,
                   "Actual Total Time": 0.05, "Actual Rows": 0.50, "Actual Loops": 10,
                   "Index Cond": "(id = a.id)", "Index Searches": 10, "WAL Records": 0,
                   "WAL FPI": 0, "WAL Bytes": 0, "WAL Buffers Full": 0}
                ]},
               "Planning Time": 0.1, "Execution Time": 1.0}]"#,
        )
        .unwrap();
        let inner = &plan.nodes[2];
        assert_eq!(inner.actual.map(|a| (a.rows, a.loops)), Some((0.5, 10.0)));
        assert_eq!(inner.property("Index Searches"), Some("10"));
        assert_eq!(inner.property("Disabled"), Some("true"));
        assert_eq!(plan.nodes[0].property("Disabled"), None);
        let m = crate::metrics::compute(&plan);
        assert_eq!(m[2].rows_total, Some(5.0));
        assert_eq!(m[2].inclusive_ms, Some(0.5));
    }

    /// PostgreSQL 12: `I/O Read Time` (not split shared/local), no `Async Capable`.
    #[test]
    fn postgres_12_json() {
        let plan = parse(
            r#"[{"Plan": {"Node Type": "Seq Scan", "Parallel Aware": false, "Relation Name": "t",
                "Alias": "t", "Startup Cost": 0, "Total Cost": 10, "Plan Rows": 100, "Plan Width": 4,
                "Actual Startup Time": 0.01, "Actual Total Time": 2.5, "Actual Rows": 100,
                "Actual Loops": 1, "Shared Hit Blocks": 1, "Shared Read Blocks": 9,
                "Shared Dirtied Blocks": 0, "Shared Written Blocks": 0, "Local Hit Blocks": 0,
                "Local Read Blocks": 0, "Local Dirtied Blocks": 0, "Local Written Blocks": 0,
                "Temp Read Blocks": 0, "Temp Written Blocks": 0, "I/O Read Time": 1.25,
                "I/O Write Time": 0.0},
               "Planning Time": 0.05, "Triggers": [], "Execution Time": 2.6}]"#,
        )
        .unwrap();
        let b = plan.nodes[0].buffers.unwrap();
        assert_eq!((b.shared_read, b.io_read_ms), (9.0, 1.25));
        assert!(plan.options.buffers && plan.options.timing);
    }
}
