//! A pg_stat_statements dump of any size with fixed, varied shapes (no randomness): PostgreSQL 15
//! columns; key lookups, IN lists of 1–9 items, updates and multi-line join/aggregate reports
//! over many tables. Shared by `tests/analyze/` and `benches/analyze.rs`.

pub const HEADER: &[&str] = &[
    "userid",
    "dbid",
    "toplevel",
    "queryid",
    "query",
    "plans",
    "total_plan_time",
    "calls",
    "total_exec_time",
    "min_exec_time",
    "max_exec_time",
    "mean_exec_time",
    "stddev_exec_time",
    "rows",
    "shared_blks_hit",
    "shared_blks_read",
    "temp_blks_read",
    "temp_blks_written",
    "blk_read_time",
    "blk_write_time",
    "wal_records",
    "wal_fpi",
    "wal_bytes",
    "jit_functions",
    "jit_generation_time",
];

/// The values of row `i`, in [`HEADER`] order (the statement text unquoted).
pub fn row(i: usize) -> Vec<String> {
    let t = i % 5;
    let q = match i % 4 {
        0 => format!("SELECT id, c{} FROM t{t}_{} WHERE id = $1", i % 7, i / 40),
        1 => format!(
            "SELECT * FROM t{t}_{} WHERE id IN ({})",
            i / 40,
            (1..=1 + i % 9)
                .map(|k| format!("${k}"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        2 => format!("UPDATE t{t}_{} SET c = $1, d = $2 WHERE id = $3", i / 40),
        _ => format!(
            "SELECT a.id, count(*)\n  FROM t{t}_{} a JOIN u{t} b ON b.a_id = a.id\n WHERE a.created_at > $1 GROUP BY a.id ORDER BY 2 DESC LIMIT $2",
            i / 40
        ),
    };
    let calls = 1 + (i * 7919) % 100_000;
    let total = calls as f64 * (0.01 + (i % 97) as f64 * 0.37);
    let mean = total / calls as f64;
    vec![
        "10".into(),
        "16384".into(),
        "t".into(),
        (-(i as i64) * 7_777_777_777 + 12345).to_string(),
        q,
        calls.to_string(),
        format!("{:.3}", calls as f64 * 0.01),
        calls.to_string(),
        format!("{total:.6}"),
        "0.005".into(),
        format!("{:.3}", mean * 40.0),
        format!("{mean:.6}"),
        format!("{:.6}", mean * 0.8),
        (calls * (1 + i % 3)).to_string(),
        (calls * 12).to_string(),
        ((i % 13) * 40).to_string(),
        if i.is_multiple_of(101) { "400" } else { "0" }.into(),
        if i.is_multiple_of(101) { "800" } else { "0" }.into(),
        "0".into(),
        "0".into(),
        "0".into(),
        "0".into(),
        "0".into(),
        "0".into(),
        "0".into(),
    ]
}

/// The dump as CSV with a header, as `\copy … CSV HEADER` writes it.
pub fn csv(rows: usize) -> String {
    let mut s = HEADER.join(",");
    s.push('\n');
    for i in 0..rows {
        let cells: Vec<String> = row(i)
            .into_iter()
            .enumerate()
            .map(|(k, v)| {
                if k == 4 {
                    format!("\"{}\"", v.replace('"', "\"\""))
                } else {
                    v
                }
            })
            .collect();
        s.push_str(&cells.join(","));
        s.push('\n');
    }
    s
}

/// The dump as JSON lines, one object per row.
#[allow(dead_code)] // the bench reads it, the test does not
pub fn json_lines(rows: usize) -> String {
    let mut s = String::new();
    for i in 0..rows {
        let obj: serde_json::Map<String, serde_json::Value> = HEADER
            .iter()
            .zip(row(i))
            .map(|(k, v)| {
                let value = match (v.parse::<i64>(), v.parse::<f64>()) {
                    (Ok(n), _) if *k != "query" && *k != "toplevel" => serde_json::json!(n),
                    (_, Ok(n)) if *k != "query" && *k != "toplevel" => serde_json::json!(n),
                    _ if *k == "toplevel" => serde_json::json!(v == "t"),
                    _ => serde_json::json!(v),
                };
                ((*k).to_owned(), value)
            })
            .collect();
        s.push_str(&serde_json::Value::Object(obj).to_string());
        s.push('\n');
    }
    s
}
