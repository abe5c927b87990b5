//! Detail lines: a node's `Key: value` lines (conditions, rows removed, sort and hash figures,
//! buffers, I/O timings, WAL, …), with every number checked against what it measures.

use super::wrap::Logical;
use crate::error::PlanError;
use crate::model::CONDITION_KINDS as CONDITIONS;
use crate::model::{Buffers, Condition, Figure, HashInfo, Node, SortInfo, Wal};

/// The number at the start of `s` (after spaces), without its unit (`82` of `82kB`, `0.4` of
/// `0.4 ms`).
fn lead_text(s: &str) -> &str {
    let s = s.trim_start();
    let b = s.as_bytes();
    let mut len = 0;
    while len < b.len() {
        let exponent = matches!(b[len], b'e' | b'E')
            && len > 0
            && match b.get(len + 1) {
                Some(b'-' | b'+') => b.get(len + 2).is_some_and(u8::is_ascii_digit),
                Some(d) => d.is_ascii_digit(),
                None => false,
            };
        if exponent {
            len += 2;
        } else if b[len].is_ascii_digit() || matches!(b[len], b'.' | b'-') {
            len += 1;
        } else {
            break;
        }
    }
    &s[..len]
}

/// The byte offset of `inner` in `outer` when `inner` is a slice of it (as every value the
/// detail readers take is of its line), else 0.
fn offset_in(outer: &str, inner: &str) -> usize {
    (inner.as_ptr() as usize)
        .checked_sub(outer.as_ptr() as usize)
        .filter(|&at| at <= outer.len())
        .unwrap_or(0)
}

/// Reads the numbers of one line's details and trailers, checking each against what it
/// measures. A number that is not there (a cut line) reads as `None`, as before; one that is
/// there but impossible (`Heap Fetches: -3`) also reads as `None`, and the first such is kept
/// with its place in the line, for [`Nums::finish`] to report.
pub(super) struct Nums<'a> {
    /// The line the values are slices of.
    line: &'a str,
    error: Option<(usize, String)>,
}

impl<'a> Nums<'a> {
    pub(super) fn new(line: &'a str) -> Self {
        Nums { line, error: None }
    }

    /// The number at the start of `s` (a slice of the line), if it is one `fig` can be.
    pub(super) fn get(&mut self, s: &str, fig: Figure, name: &str) -> Option<f64> {
        let text = lead_text(s);
        text.parse::<f64>().ok()?;
        let v = fig.read(text);
        if v.is_none() && self.error.is_none() {
            let at = offset_in(self.line, text);
            self.error = Some((at, format!("{} ({name})", fig.expected())));
        }
        v
    }

    /// The error of the first impossible number, placed in `line`.
    pub(super) fn finish(self, line: &Logical) -> Result<(), PlanError> {
        match self.error {
            Some((at, expected)) => {
                let base = offset_in(&line.text, self.line);
                Err(line.error(base + at, expected))
            }
            None => Ok(()),
        }
    }
}

/// The `Key: value` parts of a line that prints several (`Buckets: 1024  Batches: 1  Memory
/// Usage: 9kB`), found by their known keys so a lost double space does not matter.
fn segments<'a>(t: &'a str, keys: &[&'a str]) -> Vec<(&'a str, &'a str)> {
    let mut found: Vec<(usize, &str)> = Vec::new();
    for key in keys {
        let mut from = 0;
        while let Some(i) = t[from..].find(key).map(|i| i + from) {
            let boundary = i == 0 || t[..i].ends_with(' ');
            if boundary && t[i + key.len()..].starts_with(':') {
                found.push((i, key));
            }
            from = i + key.len();
        }
    }
    found.sort_unstable();
    found.dedup_by_key(|f| f.0);
    let mut out = Vec::with_capacity(found.len());
    for (n, &(i, key)) in found.iter().enumerate() {
        let end = found.get(n + 1).map_or(t.len(), |f| f.0);
        let value = t.get(i + key.len() + 1..end).unwrap_or("").trim();
        out.push((key, value));
    }
    out
}

/// `k=v k=v` pairs: the key and the value's text.
pub(super) fn pairs(s: &str) -> impl Iterator<Item = (&str, &str)> {
    s.split_whitespace().filter_map(|w| w.split_once('='))
}

pub(super) fn read_buffers(value: &str, b: &mut Buffers, nums: &mut Nums<'_>) {
    for part in value.split(',') {
        let mut words = part.trim().splitn(2, ' ');
        let (scope, rest) = (words.next().unwrap_or(""), words.next().unwrap_or(""));
        for (k, v) in pairs(rest) {
            let Some(v) = nums.get(v, Figure::Count, "a block count") else {
                continue;
            };
            match (scope, k) {
                ("shared", "hit") => b.shared_hit = v,
                ("shared", "read") => b.shared_read = v,
                ("shared", "dirtied") => b.shared_dirtied = v,
                ("shared", "written") => b.shared_written = v,
                ("local", "hit") => b.local_hit = v,
                ("local", "read") => b.local_read = v,
                ("local", "dirtied") => b.local_dirtied = v,
                ("local", "written") => b.local_written = v,
                ("temp", "read") => b.temp_read = v,
                ("temp", "written") => b.temp_written = v,
                _ => {}
            }
        }
    }
}

/// `read=… write=…` (≤ 14), `shared/local read=…, temp read=…` (15), `shared read=…, local
/// read=…, temp read=…` (16+).
pub(super) fn read_io(value: &str, b: &mut Buffers, nums: &mut Nums<'_>) {
    for part in value.split(',') {
        let part = part.trim();
        let (scope, rest) = match part.split_once(' ') {
            Some((s, r)) if !s.contains('=') => (s, r),
            _ => ("", part),
        };
        for (k, v) in pairs(rest) {
            let Some(v) = nums.get(v, Figure::Ms, "an I/O time") else {
                continue;
            };
            match (scope == "temp", k) {
                (true, "read") => b.temp_io_read_ms += v,
                (true, "write") => b.temp_io_write_ms += v,
                (false, "read") => b.io_read_ms += v,
                (false, "write") => b.io_write_ms += v,
                _ => {}
            }
        }
    }
}

/// `records=1 fpi=0 bytes=64 buffers full=0`.
fn read_wal(value: &str, node: &mut Node, nums: &mut Nums<'_>) {
    let w = node.wal.get_or_insert_with(Wal::default);
    for (k, v) in pairs(value) {
        let Some(v) = nums.get(v, Figure::Count, "a WAL count") else {
            continue;
        };
        match k {
            "records" => w.records = v,
            "fpi" => w.fpi = v,
            "bytes" => w.bytes = v,
            // PostgreSQL 18: "buffers full=N", JSON "WAL Buffers Full".
            "full" => node
                .properties
                .push(("WAL Buffers Full".into(), fmt_num(v))),
            _ => {}
        }
    }
}

/// A number as serde_json prints a JSON number PostgreSQL wrote (integers without `.0`).
fn fmt_num(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// Incremental Sort's `Full-sort Groups: 4  Sort Method: quicksort  Average Memory: 29kB  Peak
/// Memory: 29kB`, as pg_json renders the JSON object (keys in order, nested objects inline).
fn sort_groups(t: &str, nums: &mut Nums<'_>) -> String {
    let segs = segments(
        t,
        &[
            "Full-sort Groups",
            "Pre-sorted Groups",
            "Sort Method",
            "Sort Methods",
            "Average Memory",
            "Peak Memory",
            "Average Disk",
            "Peak Disk",
        ],
    );
    let get = |k: &str| segs.iter().find(|s| s.0 == k).map(|s| s.1);
    let mut kb = |k: &str| {
        get(k)
            .and_then(|v| nums.get(v, Figure::Count, "kilobytes"))
            .map(fmt_num)
    };
    let mut parts = Vec::new();
    if let Some(n) = get("Full-sort Groups").or(get("Pre-sorted Groups")) {
        parts.push(format!("Group Count: {n}"));
    }
    if let Some(m) = get("Sort Method").or(get("Sort Methods")) {
        parts.push(format!("Sort Methods Used: {m}"));
    }
    for (space, avg, peak) in [
        ("Disk", "Average Disk", "Peak Disk"),
        ("Memory", "Average Memory", "Peak Memory"),
    ] {
        if let (Some(a), Some(p)) = (kb(avg), kb(peak)) {
            parts.push(format!(
                "Sort Space {space}: Average Sort Space Used: {a}, Peak Sort Space Used: {p}"
            ));
        }
    }
    parts.join(", ")
}

/// Reads one `Key: value` detail line of a node; `t` is the line, `value` a slice of it.
pub(super) fn detail(node: &mut Node, t: &str, key: &str, value: &str, nums: &mut Nums<'_>) {
    let mut num = |fig: Figure| nums.get(value, fig, key);
    match key {
        k if CONDITIONS.contains(&k) => node.conditions.push(Condition {
            kind: k.to_owned(),
            expr: value.to_owned(),
        }),
        "Rows Removed by Filter" => node.rows_removed_by_filter = num(Figure::Rows),
        "Rows Removed by Join Filter" => node.rows_removed_by_join_filter = num(Figure::Rows),
        "Rows Removed by Index Recheck" => node.rows_removed_by_recheck = num(Figure::Rows),
        "Heap Fetches" => node.heap_fetches = num(Figure::Count),
        "Workers Planned" => node.workers_planned = num(Figure::Count),
        "Workers Launched" => node.workers_launched = num(Figure::Count),
        "Heap Blocks" => {
            for (k, v) in pairs(value) {
                let Some(v) = nums.get(v, Figure::Count, "heap blocks") else {
                    continue;
                };
                match k {
                    "exact" => node.exact_heap_blocks = Some(v),
                    "lossy" => node.lossy_heap_blocks = Some(v),
                    _ => {}
                }
            }
        }
        "Sort Method" => {
            let segs = segments(t, &["Sort Method", "Memory", "Disk"]);
            let method = segs.first().map(|s| s.1).unwrap_or(value);
            let space = segs.get(1);
            node.sort = Some(SortInfo {
                method: method.to_owned(),
                space_type: space.map(|s| s.0.to_owned()).unwrap_or_default(),
                space_kb: space
                    .and_then(|s| nums.get(s.1, Figure::Count, "kilobytes"))
                    .unwrap_or(0.0),
            });
        }
        "Buckets" | "Batches" | "Planned Partitions" => {
            let segs = segments(
                t,
                &[
                    "Planned Partitions",
                    "Buckets",
                    "Batches",
                    "Memory Usage",
                    "Disk Usage",
                ],
            );
            let h = node.hash.get_or_insert_with(HashInfo::default);
            for (k, v) in segs {
                let orig = v
                    .split_once("(originally ")
                    .and_then(|(_, o)| nums.get(o, Figure::Count, k));
                let n = nums.get(v, Figure::Count, k);
                match k {
                    "Planned Partitions" => {
                        let n = n.map(fmt_num).unwrap_or_default();
                        node.properties.push(("Planned Partitions".into(), n));
                    }
                    "Buckets" => {
                        h.buckets = n;
                        h.original_buckets = orig.or(h.buckets);
                    }
                    "Batches" => {
                        h.batches = n;
                        // A Hash node's (also when its line was cut before "Batches").
                        if key == "Buckets" || h.buckets.is_some() {
                            h.original_batches = orig.or(h.batches);
                        }
                    }
                    "Memory Usage" => h.memory_kb = n,
                    "Disk Usage" => h.disk_kb = n,
                    _ => {}
                }
            }
            if key != "Buckets" && h.batches.is_none() {
                // Only "Planned Partitions" (no ANALYZE): no hash table figures.
                node.hash = None;
            }
        }
        "Hits" => {
            for (k, v) in segments(
                t,
                &["Hits", "Misses", "Evictions", "Overflows", "Memory Usage"],
            ) {
                let json = match k {
                    "Memory Usage" => "Peak Memory Usage",
                    "Hits" => "Cache Hits",
                    "Misses" => "Cache Misses",
                    "Evictions" => "Cache Evictions",
                    _ => "Cache Overflows",
                };
                let v = nums
                    .get(v, Figure::Count, k)
                    .map(fmt_num)
                    .unwrap_or_else(|| v.to_owned());
                node.properties.push((json.into(), v));
            }
        }
        "Full-sort Groups" | "Pre-sorted Groups" => {
            node.properties.push((key.to_owned(), sort_groups(t, nums)));
        }
        "Buffers" => read_buffers(
            value,
            node.buffers.get_or_insert_with(Buffers::default),
            nums,
        ),
        "I/O Timings" => read_io(
            value,
            node.buffers.get_or_insert_with(Buffers::default),
            nums,
        ),
        "WAL" => read_wal(value, node, nums),
        // Printed in text with VERBOSE only, in JSON always: left out of the model by both
        // readers so the two formats of one plan agree.
        "Inner Unique" => {}
        _ => node.properties.push((key.to_owned(), value.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::text;

    #[test]
    fn hash_sort_and_worker_details() {
        let plan = text(
            "Hash Join  (cost=1.00..2.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)
  Hash Cond: (a.id = b.id)
  Join Filter: (a.x > b.y)
  Rows Removed by Join Filter: 3
  ->  Seq Scan on a  (cost=0.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)
  ->  Hash  (cost=1.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=1)
        Buckets: 65536 (originally 1024)  Batches: 4 (originally 1)  Memory Usage: 4097kB
        ->  Sort  (cost=1.00..1.00 rows=1 width=4) (actual time=0.010..0.011 rows=1 loops=3)
              Sort Key: b.id
              Sort Method: external merge  Disk: 1234kB
              Worker 0:  actual time=0.020..0.021 rows=9 loops=1
                Sort Method: quicksort  Memory: 25kB
                Buffers: shared hit=99
              Worker 1:  Sort Method: quicksort  Memory: 25kB
              ->  Seq Scan on b  (cost=0.00..1.00 rows=1 width=4) (never executed)
                    Filter: (z = 1)
",
        )
        .unwrap();
        let [join, _, hash, sort, seq] = &plan.nodes[..] else {
            panic!("{:?}", plan.nodes.len())
        };
        assert_eq!(join.rows_removed_by_join_filter, Some(3.0));
        assert_eq!(join.condition("Hash Cond"), Some("(a.id = b.id)"));
        let h = hash.hash.unwrap();
        assert_eq!(
            (
                h.buckets,
                h.original_buckets,
                h.batches,
                h.original_batches,
                h.memory_kb
            ),
            (
                Some(65536.0),
                Some(1024.0),
                Some(4.0),
                Some(1.0),
                Some(4097.0)
            )
        );
        let s = sort.sort.as_ref().unwrap();
        assert_eq!(
            (s.method.as_str(), s.space_type.as_str(), s.space_kb),
            ("external merge", "Disk", 1234.0)
        );
        assert!(s.spilled());
        assert_eq!(
            sort.actual.unwrap().rows,
            1.0,
            "worker lines do not overwrite the node"
        );
        assert_eq!(sort.buffers, None);
        assert_eq!(seq.parent, Some(3));
        assert!(seq.never_executed && seq.actual.is_none());
        assert_eq!(seq.loops(), Some(0.0));
        assert_eq!(seq.rows_removed_by_filter, Some(0.0));
    }
}
