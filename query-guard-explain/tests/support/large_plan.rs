//! Synthetic large plans for the explain tests and bench, printed in both PostgreSQL formats
//! from one description, so both must read into the same model, number for number.
//!
//! `wide(n)`: an `Aggregate` over an `Append` of hash joins (a partitioned table joined to its
//! dimension), four nodes per branch; `deep(n)`: a left-deep chain of nested loops, each with
//! an index scan inside (n nodes, depth n / 2), as JSON only (its text would be quadratic in
//! indentation).

#![allow(dead_code)]

use std::fmt::Write as _;

struct Spec {
    kind: &'static str,
    label: String,
    extra_json: String,
    details: Vec<String>,
    rows: u64,
    loops: u64,
    time: f64,
    cost: f64,
    depth: usize,
}

fn branch(i: usize, depth: usize, out: &mut Vec<Spec>) {
    let rows = 1000 + (i as u64 % 7) * 100;
    out.push(Spec {
        kind: "Hash Join",
        label: "Hash Join".into(),
        extra_json: r#""Join Type": "Inner", "Hash Cond": "(f.dim_id = d.id)","#.into(),
        details: vec!["Hash Cond: (f.dim_id = d.id)".into()],
        rows,
        loops: 1,
        time: 0.9,
        cost: 60.0,
        depth,
    });
    out.push(Spec {
        kind: "Seq Scan",
        label: format!("Seq Scan on fact_{i} f"),
        extra_json: format!(
            r#""Relation Name": "fact_{i}", "Alias": "f", "Filter": "(amount > 10)", "Rows Removed by Filter": 50,"#
        ),
        details: vec!["Filter: (amount > 10)".into(), "Rows Removed by Filter: 50".into()],
        rows,
        loops: 1,
        time: 0.4,
        cost: 30.0,
        depth: depth + 1,
    });
    out.push(Spec {
        kind: "Hash",
        label: "Hash".into(),
        extra_json: r#""Hash Buckets": 1024, "Original Hash Buckets": 1024, "Hash Batches": 1, "Original Hash Batches": 1, "Peak Memory Usage": 9,"#.into(),
        details: vec!["Buckets: 1024  Batches: 1  Memory Usage: 9kB".into()],
        rows: 100,
        loops: 1,
        time: 0.1,
        cost: 5.0,
        depth: depth + 1,
    });
    out.push(Spec {
        kind: "Seq Scan",
        label: format!("Seq Scan on dim_{i} d"),
        extra_json: format!(r#""Relation Name": "dim_{i}", "Alias": "d","#),
        details: vec![],
        rows: 100,
        loops: 1,
        time: 0.05,
        cost: 4.0,
        depth: depth + 2,
    });
}

fn wide_specs(nodes: usize) -> Vec<Spec> {
    let branches = (nodes.saturating_sub(2)) / 4;
    let mut out = vec![
        Spec {
            kind: "Aggregate",
            label: "Aggregate".into(),
            extra_json: r#""Strategy": "Plain", "Partial Mode": "Simple","#.into(),
            details: vec![],
            rows: 1,
            loops: 1,
            time: branches as f64 * 1.0 + 5.0,
            cost: branches as f64 * 61.0 + 10.0,
            depth: 0,
        },
        Spec {
            kind: "Append",
            label: "Append".into(),
            // PostgreSQL prints this key for every Append in JSON (the text format only when > 0).
            extra_json: r#""Subplans Removed": 0,"#.into(),
            details: vec![],
            rows: 1000 * branches as u64,
            loops: 1,
            time: branches as f64 * 1.0,
            cost: branches as f64 * 61.0,
            depth: 1,
        },
    ];
    for i in 0..branches {
        branch(i, 2, &mut out);
    }
    out
}

fn node_json(s: &Spec, out: &mut String) {
    let _ = write!(
        out,
        r#"{{"Node Type": "{}", {} "Startup Cost": 0.00, "Total Cost": {:.2}, "Plan Rows": {}, "Plan Width": 8, "Actual Startup Time": 0.010, "Actual Total Time": {:.3}, "Actual Rows": {}, "Actual Loops": {}, "Shared Hit Blocks": 3, "Shared Read Blocks": 1, "Shared Dirtied Blocks": 0, "Shared Written Blocks": 0, "Local Hit Blocks": 0, "Local Read Blocks": 0, "Local Dirtied Blocks": 0, "Local Written Blocks": 0, "Temp Read Blocks": 0, "Temp Written Blocks": 0"#,
        s.kind, s.extra_json, s.cost, s.rows, s.time, s.rows, s.loops
    );
}

fn json_of(specs: &[Spec]) -> String {
    let mut out = String::from(r#"[{"Plan": "#);
    let mut open: Vec<usize> = Vec::new(); // depths with an open "Plans" array
    for (i, s) in specs.iter().enumerate() {
        while open.last().is_some_and(|d| *d >= s.depth) {
            out.push_str("}]");
            open.pop();
        }
        if i > 0 && specs[i - 1].depth >= s.depth {
            out.push_str("}, ");
        }
        node_json(s, &mut out);
        let has_children = specs.get(i + 1).is_some_and(|n| n.depth > s.depth);
        if has_children {
            out.push_str(r#", "Plans": ["#);
            open.push(s.depth);
        }
    }
    while open.pop().is_some() {
        out.push_str("}]");
    }
    out.push_str(r#"}, "Planning": {"Shared Hit Blocks": 0, "Shared Read Blocks": 0, "Shared Dirtied Blocks": 0, "Shared Written Blocks": 0, "Local Hit Blocks": 0, "Local Read Blocks": 0, "Local Dirtied Blocks": 0, "Local Written Blocks": 0, "Temp Read Blocks": 0, "Temp Written Blocks": 0}, "Planning Time": 1.250, "Triggers": [], "Execution Time": "#);
    let _ = write!(out, "{:.3}", specs[0].time + 0.5);
    out.push_str("}]");
    out
}

fn text_of(specs: &[Spec]) -> String {
    let mut out = String::new();
    for s in specs {
        let (arrow, detail) = if s.depth == 0 {
            (String::new(), 2)
        } else {
            (
                format!("{}->  ", " ".repeat(6 * (s.depth - 1) + 2)),
                6 * s.depth + 2,
            )
        };
        let _ = writeln!(
            out,
            "{arrow}{}  (cost=0.00..{:.2} rows={} width=8) (actual time=0.010..{:.3} rows={} loops={})",
            s.label, s.cost, s.rows, s.time, s.rows, s.loops
        );
        let pad = " ".repeat(detail);
        for d in &s.details {
            let _ = writeln!(out, "{pad}{d}");
        }
        let _ = writeln!(out, "{pad}Buffers: shared hit=3 read=1");
    }
    let _ = writeln!(out, "Planning Time: 1.250 ms");
    let _ = writeln!(out, "Execution Time: {:.3} ms", specs[0].time + 0.5);
    out
}

/// A wide plan of about `nodes` nodes, as (JSON, text).
pub fn wide(nodes: usize) -> (String, String) {
    let specs = wide_specs(nodes);
    (json_of(&specs), text_of(&specs))
}

/// A left-deep chain of nested loops of `nodes` nodes, as compact JSON.
pub fn deep(nodes: usize) -> String {
    let mut specs = Vec::new();
    let pairs = nodes / 2;
    for i in 0..pairs {
        specs.push(Spec {
            kind: "Nested Loop",
            label: "Nested Loop".into(),
            extra_json: r#""Join Type": "Inner","#.into(),
            details: vec![],
            rows: 10,
            loops: 1,
            time: (pairs - i) as f64 * 0.02,
            cost: (pairs - i) as f64 * 2.0,
            depth: 2 * i,
        });
        // The outer side continues the chain below; the inner side is an index scan.
        specs.push(Spec {
            kind: "Index Scan",
            label: format!("Index Scan using t{i}_pkey on t{i}"),
            extra_json: format!(
                r#""Index Name": "t{i}_pkey", "Relation Name": "t{i}", "Alias": "t{i}", "Index Cond": "(id = t{}.id)","#,
                i + 1
            ),
            details: vec![],
            rows: 1,
            loops: 10,
            time: 0.001,
            cost: 1.0,
            depth: 2 * i + 1,
        });
    }
    // Make each index scan the second child: move it after the rest of the chain is impossible in
    // pre-order, so the chain hangs under the index scan's sibling instead: re-depth the specs so
    // that each Nested Loop's children are (next Nested Loop, Index Scan).
    let mut ordered: Vec<Spec> = Vec::new();
    let mut scans: Vec<Spec> = Vec::new();
    for (i, mut s) in specs.into_iter().enumerate() {
        if i % 2 == 0 {
            s.depth = i / 2;
            ordered.push(s);
        } else {
            s.depth = i / 2 + 1;
            scans.push(s);
        }
    }
    // Pre-order of a left-deep tree: all loops top-down, then the scans bottom-up.
    while let Some(s) = scans.pop() {
        ordered.push(s);
    }
    json_of(&ordered)
}
