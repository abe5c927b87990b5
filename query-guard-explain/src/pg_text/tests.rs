//! Tests of the whole text reader: text and JSON of one plan give one model, the figures and
//! trailers of each PostgreSQL version, impossible numbers, and input cut anywhere. The tests
//! of one pass sit with it.

use super::parse;
use crate::error::PlanError;
use crate::input::{Detected, detect};
use crate::model::{Format, Jit, Plan, SubplanKind, Wal};
use crate::pg_json;

pub(super) fn text(s: &str) -> Result<Plan, PlanError> {
    match detect(s)? {
        Detected::PgText(lines) => parse(&lines),
        other => panic!("not detected as text: {other:?}"),
    }
}

fn json(s: &str) -> Plan {
    match detect(s).unwrap() {
        Detected::Json(j) => pg_json::parse(&j).unwrap(),
        other => panic!("not detected as JSON: {other:?}"),
    }
}

/// The plan with what differs between two runs of one statement zeroed: times (of nodes,
/// planning, execution, JIT, triggers), and the format. Properties are sorted (pg_json
/// reads them in key order).
pub(super) fn comparable(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    p.format = Format::PostgresText;
    p.planning_ms = p.planning_ms.map(|_| 0.0);
    p.execution_ms = p.execution_ms.map(|_| 0.0);
    if let Some(j) = &mut p.jit {
        *j = Jit {
            functions: j.functions,
            ..Jit::default()
        };
    }
    for t in &mut p.triggers {
        t.time_ms = t.time_ms.map(|_| 0.0);
    }
    // A rolled-back write leaves dead row versions the next run reads again: its shared
    // buffer counts grow from run to run.
    let writes = p.nodes.iter().any(|n| n.kind == "ModifyTable");
    for n in &mut p.nodes {
        if writes && let Some(b) = &mut n.buffers {
            b.shared_hit = 0.0;
            b.shared_read = 0.0;
            b.shared_dirtied = 0.0;
        }
        if let Some(a) = &mut n.actual {
            a.startup_ms = a.startup_ms.map(|_| 0.0);
            a.total_ms = a.total_ms.map(|_| 0.0);
        }
        n.properties.sort();
    }
    p
}

macro_rules! pairs {
        ($($name:literal),* $(,)?) => {
            &[$(
                ($name,
                 include_str!(concat!("../testdata/", $name, ".txt")),
                 include_str!(concat!("../testdata/", $name, ".json"))),
            )*]
        };
    }

pub(super) const PAIRS: &[(&str, &str, &str)] = pairs!(
    "bitmap_lossy",
    "costs_off",
    "delete_returning",
    "full_join",
    "hash_batches",
    "hashagg_spill",
    "incremental",
    "index_only",
    "insert_trigger",
    "jit",
    "joins",
    "memoize",
    "never_executed",
    "no_analyze",
    "parallel",
    "parallel_hash",
    "scans",
    "seq_filter",
    "setop_sorted",
    "setops",
    "sort_spill",
    "subplans",
    "timing_off",
    "update_verbose",
    "verbose_plain",
);

#[test]
fn text_and_json_of_one_plan_give_one_model() {
    let mut failed = Vec::new();
    for (name, txt, js) in PAIRS {
        let t = comparable(&text(txt).unwrap_or_else(|e| panic!("{name}: {e}")));
        let j = comparable(&json(js));
        if t != j {
            for (a, b) in t.nodes.iter().zip(&j.nodes) {
                if a != b {
                    eprintln!("{name}: node {}\n text: {a:?}\n json: {b:?}", a.id);
                }
            }
            if t.nodes.len() != j.nodes.len() {
                eprintln!("{name}: {} nodes vs {}", t.nodes.len(), j.nodes.len());
            }
            let (mut t2, mut j2) = (t.clone(), j.clone());
            t2.nodes.clear();
            j2.nodes.clear();
            if t2 != j2 {
                eprintln!("{name}: plan\n text: {t2:?}\n json: {j2:?}");
            }
            failed.push(*name);
        }
    }
    assert!(failed.is_empty(), "models differ: {failed:?}");
}

const PG18: &str = "\
Update on t  (cost=0.29..16.34 rows=0 width=0) (actual time=0.020..0.021 rows=0.00 loops=1)
  Buffers: shared hit=12 dirtied=2 written=1
  WAL: records=3 fpi=1 bytes=900 buffers full=2
  InitPlan 1
    ->  Result  (cost=0.00..0.01 rows=1 width=4) (actual time=0.001..0.001 rows=1.00 loops=1)
  ->  Nested Loop  (cost=0.29..16.34 rows=1 width=8) (actual time=0.020..0.021 rows=1.50 loops=1)
        Buffers: shared hit=5
        ->  Index Scan using t_pkey on t  (cost=0.29..8.30 rows=1 width=4) (actual time=0.010..0.011 rows=1.00 loops=1)
              Index Cond: (id = (InitPlan 1).col1)
              Index Searches: 1
              Buffers: shared hit=3
        ->  Seq Scan on u  (cost=0.00..8.03 rows=1 width=4) (actual time=0.005..0.006 rows=0.50 loops=2)
              Disabled: true
              Filter: (x = 1)
              Rows Removed by Filter: 2
              Buffers: shared hit=2
Planning:
  Buffers: shared hit=10 read=2
  I/O Timings: shared read=0.050
  Memory: used=20kB  allocated=32kB
Planning Time: 0.100 ms
Serialization: time=0.002 ms  output=1kB  format=text
Trigger trg_audit: time=0.050 calls=3
Execution Time: 0.050 ms
";

#[test]
fn postgres_18() {
    let plan = text(PG18).unwrap();
    assert_eq!(plan.nodes.len(), 5);
    let [update, init, nl, idx, seq] = &plan.nodes[..] else {
        panic!()
    };
    assert_eq!(update.operation.as_deref(), Some("Update"));
    let wal = update.wal.unwrap();
    assert_eq!((wal.records, wal.fpi, wal.bytes), (3.0, 1.0, 900.0));
    assert_eq!(update.property("WAL Buffers Full"), Some("2"));
    assert_eq!(update.buffers.unwrap().shared_dirtied, 2.0);
    assert_eq!(init.subplan.as_ref().unwrap().name, "InitPlan 1");
    assert_eq!(init.subplan.as_ref().unwrap().kind, SubplanKind::InitPlan);
    assert_eq!((init.parent, nl.parent), (Some(0), Some(0)));
    assert_eq!(nl.actual.unwrap().rows, 1.5);
    assert_eq!(
        nl.wal,
        Some(Wal::default()),
        "WAL zeros, as JSON prints them"
    );
    assert_eq!(idx.property("Index Searches"), Some("1"));
    assert_eq!(idx.rows_removed_by_recheck, Some(0.0));
    assert_eq!(seq.property("Disabled"), Some("true"));
    assert_eq!(seq.actual.unwrap().rows, 0.5);
    assert_eq!(seq.rows_removed_by_filter, Some(2.0));
    let pb = plan.planning_buffers.unwrap();
    assert_eq!(
        (pb.shared_hit, pb.shared_read, pb.io_read_ms),
        (10.0, 2.0, 0.05)
    );
    assert_eq!(plan.planning_ms, Some(0.1));
    assert_eq!(plan.execution_ms, Some(0.05));
    assert_eq!(plan.triggers[0].name, "trg_audit");
    assert_eq!(plan.triggers[0].calls, 3.0);
    assert!(plan.options.analyze && plan.options.timing && plan.options.buffers);
}

#[test]
fn io_timings_jit_and_trailers_of_each_version() {
    let plan = text(
            "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)
  Buffers: shared read=5, temp read=1 written=2
  I/O Timings: shared read=1.250 write=0.100, local read=0.500, temp read=0.200 write=0.300
Settings: search_path = '\"$user\", public', work_mem = '64MB', x = 'it''s'
Planning Time: 0.1 ms
JIT:
  Functions: 4
  Options: Inlining false, Optimization false, Expressions true, Deforming true
  Timing: Generation 0.500 ms (Deform 0.100 ms), Inlining 0.000 ms, Optimization 0.200 ms, Emission 3.000 ms, Total 3.700 ms
Trigger for constraint fk on child: calls=2
Trigger RI_ConstraintTrigger_a_1 for constraint fk2: time=1.000 calls=1
Query Identifier: -123
Execution Time: 5 ms
",
        )
        .unwrap();
    let b = plan.nodes[0].buffers.unwrap();
    assert_eq!(
        (b.shared_read, b.temp_read, b.temp_written),
        (5.0, 1.0, 2.0)
    );
    assert_eq!((b.io_read_ms, b.io_write_ms), (1.75, 0.1));
    assert_eq!((b.temp_io_read_ms, b.temp_io_write_ms), (0.2, 0.3));
    assert_eq!(
        plan.settings,
        [
            ("search_path".to_owned(), "\"$user\", public".to_owned()),
            ("work_mem".to_owned(), "64MB".to_owned()),
            ("x".to_owned(), "it's".to_owned()),
        ]
    );
    let j = plan.jit.unwrap();
    assert_eq!(
        (j.functions, j.generation_ms, j.emission_ms, j.total_ms),
        (4.0, 0.5, 3.0, 3.7)
    );
    assert_eq!(plan.triggers[0].name, "fk");
    assert_eq!(
        (plan.triggers[0].time_ms, plan.triggers[0].calls),
        (None, 2.0)
    );
    assert_eq!(plan.triggers[1].name, "fk2");
    assert_eq!(plan.execution_ms, Some(5.0));

    // PostgreSQL 15 and 12.
    for (io, read, write, temp) in [
        (
            "shared/local read=1.5 write=0.2, temp read=0.1 write=0.2",
            1.5,
            0.2,
            0.1,
        ),
        ("read=0.123 write=0.456", 0.123, 0.456, 0.0),
    ] {
        let plan = text(&format!(
                "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)\n  Buffers: shared read=5\n  I/O Timings: {io}\nTotal runtime: 1.5 ms"
            ))
            .unwrap();
        let b = plan.nodes[0].buffers.unwrap();
        assert_eq!(
            (b.io_read_ms, b.io_write_ms, b.temp_io_read_ms),
            (read, write, temp)
        );
        assert_eq!(plan.execution_ms, Some(1.5));
    }
    // PostgreSQL 16 and before: no Deform; without ANALYZE no timing at all.
    let plan = text("Result  (cost=0.00..0.01 rows=1 width=4)\nJIT:\n  Functions: 1\n  Options: Inlining false, Optimization false, Expressions true, Deforming true\n").unwrap();
    assert_eq!(plan.jit.unwrap().functions, 1.0);
    assert!(!plan.options.analyze && plan.options.costs);
}

pub(super) fn syntax(e: PlanError) -> (usize, usize, String) {
    match e {
        PlanError::Syntax {
            line,
            column,
            expected,
        } => (line, column, expected),
        other => panic!("not a syntax error: {other:?}"),
    }
}

/// Issue 11, item 8: numbers PostgreSQL cannot print are refused where they stand.
#[test]
fn impossible_numbers_name_line_and_column() {
    let node =
        "Seq Scan on t  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.020 rows=1 loops=1)";
    let cases: &[(&str, &str, &str)] = &[
        (
            "loops=1)",
            "loops=-1)",
            "a whole number from 0 to 18446744073709551615 (the loops)",
        ),
        ("loops=1)", "loops=2.5)", "whole number"),
        ("rows=1 loops", "rows=-3 loops", "a number of rows from 0"),
        (
            "time=0.010",
            "time=-0.010",
            "a time from 0 to 1e12 ms (about 31.7 years) (the startup time)",
        ),
        (
            "..0.020",
            &format!("..1{}1", "0".repeat(11)),
            "(the total time)",
        ),
        (
            "..0.020",
            &format!("..1{}", "0".repeat(400)),
            "(the total time)",
        ),
        (
            "cost=0.00",
            "cost=-1.00",
            "a number from 0 to 1e300 (the startup cost)",
        ),
        ("width=4", "width=-4", "(the width)"),
        (
            "rows=1 width",
            &format!("rows={} width", "9".repeat(310)),
            "(the estimated rows)",
        ),
    ];
    for (from, to, msg) in cases {
        let input = node.replacen(from, to, 1);
        let number = to.find(|c: char| c == '-' || c.is_ascii_digit()).unwrap();
        let column = input.find(to).unwrap() + number + 1;
        let (l, c, e) = syntax(text(&input).unwrap_err());
        assert_eq!((l, c), (1, column), "{input}: {e}");
        assert!(e.contains(msg), "{input}: {e}");
    }
    // Details and trailers: the column is the number's.
    let details: &[(&str, &str, &str)] = &[
        (
            "  Rows Removed by Filter: -5",
            "-5",
            "(Rows Removed by Filter)",
        ),
        ("  Heap Fetches: 1.5", "1.5", "(Heap Fetches)"),
        ("  Buffers: shared hit=3 read=-1", "-1", "(a block count)"),
        ("  I/O Timings: shared read=-0.5", "-0.5", "(an I/O time)"),
        ("  WAL: records=-1 bytes=64", "-1", "(a WAL count)"),
        (
            "  Sort Method: quicksort  Memory: -25kB",
            "-25kB",
            "(kilobytes)",
        ),
        (
            "  Buckets: 1024 (originally -1)  Batches: 1  Memory Usage: 9kB",
            "-1",
            "(Buckets)",
        ),
        (
            "  Buckets: 1024  Batches: 1  Memory Usage: -9kB",
            "-9kB",
            "(Memory Usage)",
        ),
        ("  Workers Launched: -2", "-2", "(Workers Launched)"),
        ("Planning Time: -0.080 ms", "-0.080", "(the planning time)"),
        ("Execution Time: 1e400 ms", "1e400", "(the execution time)"),
        (
            "Trigger t: time=-1.0 calls=1",
            "-1.0",
            "(the trigger's time)",
        ),
        (
            "Trigger t: time=1.0 calls=-1",
            "-1",
            "(the trigger's calls)",
        ),
        ("JIT:\n  Functions: -3", "-3", "(JIT functions)"),
        (
            "JIT:\n  Timing: Generation -1.0 ms, Total 2.0 ms",
            "-1.0",
            "(a JIT time)",
        ),
    ];
    for (detail, bad, msg) in details {
        let input = format!("{node}\n{detail}\n");
        let line = input.lines().position(|l| l.contains(bad)).unwrap();
        let column = input.lines().nth(line).unwrap().find(bad).unwrap() + 1;
        let (l, c, e) = syntax(text(&input).unwrap_err());
        assert_eq!((l, c), (line + 1, column), "{detail}: {e}");
        assert!(e.contains(msg), "{detail}: {e}");
    }
    // Possible values still read: zero, PostgreSQL 18's fractional rows, u64::MAX blocks.
    let plan = text(&format!(
            "{}\n  Rows Removed by Filter: 0.50\n  Buffers: shared hit=18446744073709551615\nExecution Time: 0.000 ms\n",
            node.replace("rows=1 loops", "rows=0.50 loops")
        ))
        .unwrap();
    let n = &plan.nodes[0];
    assert_eq!(n.actual.unwrap().rows, 0.5);
    assert_eq!(n.rows_removed_by_filter, Some(0.5));
    assert_eq!(n.buffers.unwrap().shared_hit, u64::MAX as f64);
    assert_eq!(plan.execution_ms, Some(0.0));
}

#[test]
fn never_panics_on_cut_or_mangled_input() {
    for (_, txt, _) in PAIRS {
        let mut cuts: Vec<usize> = (0..txt.len()).step_by(5).collect();
        cuts.push(txt.len() - 1);
        for cut in cuts {
            if let Some(prefix) = txt.get(..cut) {
                let _ = crate::read::parse(prefix);
            }
            if let Some(suffix) = txt.get(cut..) {
                let _ = crate::read::parse(suffix);
            }
        }
    }
    for junk in [
        "->",
        "->  ",
        "  ->  (",
        "(cost=",
        "\"",
        "Seq Scan on \"",
        "InitPlan 1\n->",
        "Custom Scan (",
        "Settings: a = '",
        "Trigger : time=",
        "JIT:\n  Timing: Total",
        "Seq Scan on t\n  Buckets: (originally",
        "\u{feff}",
        "…\n…",
        "|\n|",
    ] {
        let _ = crate::read::parse(junk);
    }
}
