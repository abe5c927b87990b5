//! `query_guard_explain` on inputs no database gives us on demand: 10,000-node plans (wide, and
//! 5,000 levels deep), the same plan printed in both formats number for number, and broken,
//! truncated or foreign input, which must give a located error and never a panic.

#[path = "support/large_plan.rs"]
mod large_plan;

use query_guard_explain::{self as explain, Format, PlanError};

#[test]
fn a_10000_node_plan_reads_the_same_from_json_and_text() {
    let (json, text) = large_plan::wide(10_002);
    let a = explain::parse(&json).unwrap();
    let mut b = explain::parse(&text).unwrap();
    assert_eq!(a.nodes.len(), 10_002);
    assert_eq!(a.format, Format::PostgresJson);
    assert_eq!(b.format, Format::PostgresText);
    b.format = Format::PostgresJson;
    // Compared node by node, so a failure prints one node, not ten thousand.
    assert_eq!(a.nodes.len(), b.nodes.len());
    for (x, y) in a.nodes.iter().zip(&b.nodes) {
        assert_eq!(x, y);
    }
    let (mut a_top, mut b_top) = (a.clone(), b.clone());
    a_top.nodes.clear();
    b_top.nodes.clear();
    assert_eq!(a_top, b_top);
    let explained = explain::Explained::new(a, None);
    let shares: f64 = explained.metrics.iter().filter_map(|m| m.share).sum();
    assert!(shares > 0.9 && shares <= 1.001, "{shares}");
    // The report names what matters and says how much it left out.
    let report = explained.to_string();
    assert!(
        report.contains("more nodes, each under 1%"),
        "{}",
        &report[..2000]
    );
    assert!(report.lines().count() < 400);
    let json = explained.render(&explain::RenderOptions {
        format: explain::OutputFormat::Json,
        ..Default::default()
    });
    let v: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(v["nodes"].as_array().unwrap().len(), 10_002);
}

#[test]
fn a_plan_5000_levels_deep_reads_without_overflowing_the_stack() {
    let json = large_plan::deep(10_000);
    // Run on a thread with a small stack, as a test or a tokio worker would.
    let handle = std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(move || {
            let explained = explain::analyze(&json).unwrap();
            let report = explained.to_string();
            (
                explained.plan.nodes.len(),
                explained.plan.nodes.iter().map(|n| n.depth).max(),
                report.len(),
            )
        })
        .unwrap();
    let (nodes, depth, len) = handle.join().unwrap();
    assert_eq!(nodes, 10_000);
    assert_eq!(depth, Some(5_000));
    assert!(len > 0);
}

const PLAN: &str = r#"[
  {
    "Plan": {
      "Node Type": "Seq Scan",
      "Relation Name": "users",
      "Alias": "users",
      "Startup Cost": 0.00,
      "Total Cost": 1943.00,
      "Plan Rows": 1,
      "Plan Width": 40,
      "Actual Startup Time": 0.020,
      "Actual Total Time": 11.300,
      "Actual Rows": 1,
      "Actual Loops": 1,
      "Filter": "(email = 'alice@example.com'::text)",
      "Rows Removed by Filter": 99999
    },
    "Planning Time": 0.080,
    "Execution Time": 11.320
  }
]"#;

#[test]
fn every_truncation_of_a_json_plan_is_a_located_error() {
    for cut in 1..PLAN.len() - 1 {
        if !PLAN.is_char_boundary(cut) {
            continue;
        }
        let part = &PLAN[..cut];
        match explain::parse(part) {
            Err(PlanError::Syntax {
                line,
                column,
                expected,
            }) => {
                assert!(line >= 1 && column >= 1, "{cut}");
                assert!(!expected.contains("alice"), "{expected}");
            }
            Err(PlanError::Empty) | Err(PlanError::NotAPlan { .. }) => {}
            Err(e) => panic!("cut at {cut}: unexpected {e}"),
            Ok(_) => panic!("cut at {cut}: a truncated plan was accepted"),
        }
    }
    let err = explain::parse(&PLAN[..PLAN.len() / 2]).unwrap_err();
    assert!(err.to_string().contains("cut short"), "{err}");
}

#[test]
fn corrupted_plans_never_panic() {
    // Every single-byte corruption of a JSON and of a text plan.
    let text = "Seq Scan on users  (cost=0.00..1943.00 rows=1 width=40) (actual time=0.020..11.300 rows=1 loops=1)\n  Filter: (email = 'alice@example.com'::text)\n  Rows Removed by Filter: 99999\nPlanning Time: 0.080 ms\nExecution Time: 11.320 ms\n";
    for plan in [PLAN, text] {
        let bytes = plan.as_bytes();
        for i in 0..bytes.len() {
            for b in [
                b'(', b')', b'"', b'x', b'\n', b' ', b'-', b'>', b'=', b'[', b'{', b'9',
            ] {
                let mut v = bytes.to_vec();
                v[i] = b;
                if let Ok(s) = std::str::from_utf8(&v)
                    && let Ok(explained) = explain::analyze(s)
                {
                    let _ = explained.to_string();
                }
            }
        }
    }
}

#[test]
fn foreign_input_is_refused_with_what_was_expected() {
    assert_eq!(explain::parse("").unwrap_err(), PlanError::Empty);
    assert_eq!(explain::parse("\n  \n").unwrap_err(), PlanError::Empty);
    assert_eq!(
        explain::parse("                QUERY PLAN\n--------------------\n(0 rows)\n").unwrap_err(),
        PlanError::Empty
    );
    let err = explain::parse("[1, 2, 3]").unwrap_err();
    assert!(err.to_string().contains("line 1"), "{err}");
    let err = explain::parse(r#"[{"Plan": {"Relation Name": "t"}}]"#).unwrap_err();
    assert!(err.to_string().contains("Node Type"), "{err}");
    let err = explain::parse("hello world\nthis is not a plan\n").unwrap_err();
    assert!(matches!(err, PlanError::NotAPlan { line: 1 }), "{err}");
}

#[test]
fn literal_values_are_masked_unless_asked_for() {
    let explained = explain::analyze(PLAN).unwrap();
    let text = explained.to_string();
    assert!(!text.contains("alice"), "{text}");
    assert!(text.contains("(email = ?::text)"), "{text}");
    for format in [explain::OutputFormat::Markdown, explain::OutputFormat::Json] {
        let out = explained.render(&explain::RenderOptions {
            format,
            ..Default::default()
        });
        assert!(!out.contains("alice"), "{out}");
    }
    let shown = explained.render(&explain::RenderOptions {
        show_values: true,
        ..Default::default()
    });
    assert!(shown.contains("alice@example.com"), "{shown}");
}

#[test]
fn non_finite_numbers_are_refused_and_timing_off_shares_come_from_costs() {
    // PostgreSQL never prints NaN: a plan that says so is not a plan (exit 2 in the CLI).
    let nan = PLAN.replace(
        "\"Actual Total Time\": 11.300",
        "\"Actual Total Time\": \"NaN\"",
    );
    let err = explain::analyze(&nan).unwrap_err().to_string();
    assert!(err.contains("Actual Total Time"), "{err}");
    // TIMING OFF still prints Execution Time; shares then come from costs.
    let timing_off = PLAN
        .replace("\"Actual Startup Time\": 0.020,", "")
        .replace("\"Actual Total Time\": 11.300,", "");
    let explained = explain::analyze(&timing_off).unwrap();
    assert!(!explained.plan.options.timing);
    assert!(explained.metrics[0].share_from_cost);
    assert_eq!(explained.metrics[0].share, Some(1.0));
}
