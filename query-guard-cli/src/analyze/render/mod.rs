//! Output: the report as an aligned text table (default, fits 100 columns), Markdown, or JSON
//! (schema in `docs/analyze-schema.md`). Text and Markdown print the same [`Section`]s, built
//! here once.

pub(crate) mod json;
pub(crate) mod markdown;
mod section;
pub(crate) mod text;

use query_guard_format::{count_scaled, ms_scaled, number, percent_capped};

use super::report::Report;
use section::{Align, Section, Table};

/// A share as [`percent_capped`] prints it, or `–` when it is unknown.
fn fmt_pct(f: Option<f64>) -> String {
    f.map(percent_capped).unwrap_or_else(|| "–".to_owned())
}

/// A time as [`ms_scaled`] prints it, or `–` when it is unknown.
fn fmt_opt_ms(v: Option<f64>) -> String {
    v.map(ms_scaled).unwrap_or_else(|| "–".to_owned())
}

/// The statement column: query-guard's normalised text on one line.
fn query(r: &Report, i: usize) -> String {
    let s = &r.statements[i];
    let mut q = s.normalized.clone();
    if s.toplevel == Some(false) {
        q.insert_str(0, "(nested) ");
    }
    q
}

fn table(headers: &[&'static str], rows: Vec<Vec<String>>) -> Table {
    let align = headers
        .iter()
        .enumerate()
        .map(|(k, _)| {
            if k + 1 == headers.len() {
                Align::Left
            } else {
                Align::Right
            }
        })
        .collect();
    Table {
        headers: headers.to_vec(),
        align,
        rows,
    }
}

/// Build every section of the report, in order.
pub(crate) fn sections(r: &Report) -> Vec<Section> {
    let mut out = Vec::new();
    let o = &r.overview;
    let mut lines = Vec::new();
    for inp in &r.inputs {
        lines.push(format!(
            "{}: {}, {} rows, columns of PostgreSQL {}",
            inp.name,
            inp.format,
            count_scaled(inp.entries as f64),
            inp.postgres
        ));
    }
    let window = if r.diff.is_some() {
        " in the window"
    } else {
        ""
    };
    lines.push(format!(
        "{} statements{window} ({} rows): {} calls, {} executing, {} planning, {} rows",
        count_scaled(o.statements as f64),
        count_scaled(o.entries as f64),
        count_scaled(o.calls),
        ms_scaled(o.total_ms),
        ms_scaled(o.plan_ms),
        count_scaled(o.rows)
    ));
    lines.push(format!(
        "cache hit ratio {} ({} shared blocks read, {} hit); {} temp blocks written",
        fmt_pct(o.hit_ratio),
        count_scaled(o.shared_read),
        count_scaled(o.shared_hit),
        count_scaled(o.temp_written)
    ));
    if r.options.min_calls > 1.0 {
        lines.push(format!(
            "rankings leave out statements with fewer than {} calls",
            count_scaled(r.options.min_calls)
        ));
    }
    out.push(Section {
        title: "query-guard analyze".to_owned(),
        lines,
        table: None,
    });

    if let Some(d) = &r.diff {
        let mut lines = vec![format!(
            "{} rows ran between the snapshots; {} rows were in both",
            count_scaled(d.window_rows as f64),
            count_scaled(d.common as f64)
        )];
        if d.global_reset {
            lines.push(format!(
                "counters were reset between the snapshots ({} of {} rows went backwards: pg_stat_statements_reset()?): the window is measured from the reset, a lower bound",
                d.reset_rows, d.common
            ));
        } else if d.reset_rows > 0 {
            lines.push(format!(
                "{} rows went backwards (reset, or evicted and created again): their window counts only since then",
                d.reset_rows
            ));
        }
        if !d.evicted.is_empty() {
            lines.push(format!(
                "{} statements of BEFORE are gone from AFTER (evicted, or reset)",
                d.evicted.len()
            ));
        }
        out.push(Section {
            title: "Between the snapshots".to_owned(),
            lines,
            table: None,
        });
    }

    // Main table.
    let mut cum = 0.0;
    let rows = r
        .top
        .iter()
        .enumerate()
        .map(|(k, &i)| {
            let s = &r.statements[i].stats;
            let share = r.share(i);
            cum += share.unwrap_or(0.0);
            vec![
                (k + 1).to_string(),
                ms_scaled(s.total_ms),
                fmt_pct(share),
                fmt_pct(share.map(|_| cum)),
                count_scaled(s.calls),
                ms_scaled(s.mean_ms()),
                number(s.rows_per_call()),
                fmt_pct(s.hit_ratio()),
                query(r, i),
            ]
        })
        .collect();
    out.push(Section {
        title: format!("Top statements by {}", r.options.sort.title()),
        lines: Vec::new(),
        table: Some(table(
            &[
                "#",
                "total",
                "share",
                "cum",
                "calls",
                "mean",
                "rows/call",
                "hit",
                "query",
            ],
            rows,
        )),
    });

    let simple = |title: &str,
                  list: &[usize],
                  headers: &[&'static str],
                  f: &dyn Fn(usize) -> Vec<String>| Section {
        title: title.to_owned(),
        lines: if list.is_empty() {
            vec!["none".to_owned()]
        } else {
            Vec::new()
        },
        table: (!list.is_empty()).then(|| {
            table(
                headers,
                list.iter()
                    .enumerate()
                    .map(|(k, &i)| {
                        let mut row = vec![(k + 1).to_string()];
                        row.extend(f(i));
                        row.push(query(r, i));
                        row
                    })
                    .collect(),
            )
        }),
    };
    let st = |i: usize| &r.statements[i].stats;
    out.push(simple(
        "By mean time",
        &r.by_mean,
        &["#", "mean", "max", "calls", "total", "query"],
        &|i| {
            let s = st(i);
            vec![
                ms_scaled(s.mean_ms()),
                fmt_opt_ms(s.max_ms),
                count_scaled(s.calls),
                ms_scaled(s.total_ms),
            ]
        },
    ));
    out.push(simple(
        "By calls",
        &r.by_calls,
        &["#", "calls", "mean", "rows/call", "total", "query"],
        &|i| {
            let s = st(i);
            vec![
                count_scaled(s.calls),
                ms_scaled(s.mean_ms()),
                number(s.rows_per_call()),
                ms_scaled(s.total_ms),
            ]
        },
    ));
    out.push(simple(
        "By rows per call",
        &r.by_rows,
        &["#", "rows/call", "calls", "mean", "query"],
        &|i| {
            let s = st(i);
            vec![
                number(s.rows_per_call()),
                count_scaled(s.calls),
                ms_scaled(s.mean_ms()),
            ]
        },
    ));
    out.push(simple(
        "By shared blocks read (not in shared buffers)",
        &r.by_reads,
        &["#", "read", "hit", "I/O time", "mean", "query"],
        &|i| {
            let s = st(i);
            vec![
                count_scaled(s.shared_read),
                fmt_pct(s.hit_ratio()),
                ms_scaled(s.io_ms),
                ms_scaled(s.mean_ms()),
            ]
        },
    ));
    out.push(simple(
        "Spills (temp blocks written: work_mem too small)",
        &r.spills,
        &["#", "written", "read", "calls", "mean", "query"],
        &|i| {
            let s = st(i);
            vec![
                count_scaled(s.temp_written),
                count_scaled(s.temp_read),
                count_scaled(s.calls),
                ms_scaled(s.mean_ms()),
            ]
        },
    ));
    out.push(simple(
        "Planning versus execution",
        &r.planning,
        &[
            "#",
            "planning",
            "plan mean",
            "of time",
            "exec mean",
            "query",
        ],
        &|i| {
            let s = st(i);
            vec![
                ms_scaled(s.plan_ms),
                ms_scaled(s.mean_plan_ms()),
                fmt_pct(s.plan_share()),
                ms_scaled(s.mean_ms()),
            ]
        },
    ));
    out.push(simple(
        "Unstable (stddev / mean ≥ 1 or max ≥ 10× mean)",
        &r.instability,
        &["#", "mean", "stddev", "cv", "max", "max/mean", "query"],
        &|i| {
            let s = st(i);
            vec![
                ms_scaled(s.mean_ms()),
                fmt_opt_ms(s.stddev_ms()),
                s.cv()
                    .map(|c| format!("{c:.2}"))
                    .unwrap_or_else(|| "–".to_owned()),
                fmt_opt_ms(s.max_ms),
                s.max_over_mean()
                    .map(|m| format!("{m:.1}×"))
                    .unwrap_or_else(|| "–".to_owned()),
            ]
        },
    ));
    // N+1.
    let suspects: Vec<usize> = r.n_plus_one.iter().map(|s| s.statement).collect();
    let mut sec = simple(
        "N+1 suspects (many calls, ~1 row each, key lookup, far more calls than the rest)",
        &suspects,
        &["#", "calls", "rows/call", "× median", "total", "query"],
        &|i| {
            let sp = &r.n_plus_one[r.suspect_of[&i]];
            vec![
                count_scaled(sp.calls),
                number(sp.rows_per_call),
                format!("{:.0}×", sp.ratio),
                ms_scaled(st(i).total_ms),
            ]
        },
    );
    if !suspects.is_empty() {
        sec.lines.push(
            "fix: load the rows for the whole list at once (WHERE key = ANY($1)) or join them into the query that produced the list".to_owned(),
        );
    }
    out.push(sec);
    out.push(simple(
        "Merged by fingerprint (several queryids, one shape: pooled)",
        &r.merged,
        &["#", "queryids", "calls", "mean", "total", "query"],
        &|i| {
            let s = &r.statements[i];
            vec![
                s.queryids.len().to_string(),
                count_scaled(s.stats.calls),
                ms_scaled(s.stats.mean_ms()),
                ms_scaled(s.stats.total_ms),
            ]
        },
    ));
    if let Some(d) = &r.diff {
        out.push(simple(
            "New statements (not in BEFORE)",
            &d.new,
            &["#", "calls", "mean", "total", "query"],
            &|i| {
                let s = st(i);
                vec![
                    count_scaled(s.calls),
                    ms_scaled(s.mean_ms()),
                    ms_scaled(s.total_ms),
                ]
            },
        ));
        let regressed: Vec<usize> = d.regressed.iter().map(|x| x.statement).collect();
        out.push(simple(
            "Regressed (window mean ≥ 1.5× the mean before)",
            &regressed,
            &["#", "before", "window", "×", "calls", "query"],
            &|i| {
                let g = d
                    .regressed
                    .iter()
                    .find(|x| x.statement == i)
                    .expect("listed");
                vec![
                    ms_scaled(g.before_mean_ms),
                    ms_scaled(g.after_mean_ms),
                    g.factor()
                        .map_or_else(|| "–".to_owned(), |f| format!("{f:.1}×")),
                    count_scaled(st(i).calls),
                ]
            },
        ));
        if !d.reset.is_empty() {
            out.push(simple(
                "Reset or re-created between the snapshots (window is a lower bound)",
                &d.reset,
                &["#", "calls", "total", "query"],
                &|i| vec![count_scaled(st(i).calls), ms_scaled(st(i).total_ms)],
            ));
        }
        if !d.evicted.is_empty() {
            let rows = d
                .evicted
                .iter()
                .take(r.options.top)
                .enumerate()
                .map(|(k, e)| {
                    vec![
                        (k + 1).to_string(),
                        count_scaled(e.calls),
                        e.normalized.clone(),
                    ]
                })
                .collect();
            out.push(Section {
                title: "Gone from AFTER (evicted or reset)".to_owned(),
                lines: Vec::new(),
                table: Some(table(&["#", "calls before", "query"], rows)),
            });
        }
    }
    out.push(Section {
        title: "Health".to_owned(),
        lines: if r.health.is_empty() {
            vec!["nothing to report".to_owned()]
        } else {
            r.health
                .iter()
                .map(|n| format!("[{}] {}", n.code, n.message))
                .collect()
        },
        table: None,
    });
    if !r.options.rules.is_empty() {
        let mut lines = Vec::new();
        for rule in &r.options.rules {
            let t = rule.text();
            match r.fired.iter().find(|f| f.rule == t) {
                Some(f) => {
                    lines.push(format!("FAIL {t}: {} statement(s)", f.statements.len()));
                    for &i in f.statements.iter().take(r.options.top) {
                        lines.push(format!("  {}  {}", r.statements[i].id, query(r, i)));
                    }
                }
                None => lines.push(format!("ok   {t}")),
            }
        }
        out.push(Section {
            title: "--fail-on".to_owned(),
            lines,
            table: None,
        });
    }
    out
}
