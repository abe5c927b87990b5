//! # PostgreSQL `EXPLAIN (FORMAT JSON)`
//!
//! Reads the array `EXPLAIN` returns (`[{"Plan": …, "Planning Time": …}]`), a single object
//! (auto_explain's log lines), or several plans in one array (each becomes a root; their times
//! add up). Keys are those of PostgreSQL 12 to 18; keys this reader does not know are kept as
//! node properties.
//!
//! Plans nested deeper than serde_json's default recursion limit (128 levels, about 60 plan
//! levels) are parsed on a thread with a large stack, so a deep join tree reads like any other.

mod figures;
mod tree;

use serde_json::Value;

use crate::error::PlanError;
use crate::model::Plan;
use figures::check_figures;
use tree::from_value;

/// Deepest nesting accepted, in JSON levels (each plan level is two: the node and its `Plans`).
const MAX_DEPTH: usize = 100_000;

/// Parses a JSON plan. `text` must start with `[` or `{` (after white space).
pub(crate) fn parse(text: &str) -> Result<Plan, PlanError> {
    let depth = nesting_depth(text);
    if depth > MAX_DEPTH {
        return Err(PlanError::syntax(
            1,
            1,
            format!("a plan nested at most {MAX_DEPTH} levels deep (this one has {depth})"),
        ));
    }
    if depth < 120 {
        let value = serde_json::from_str::<Value>(text).map_err(json_error)?;
        let plan = check_figures(text).and_then(|()| from_value(&value));
        drop_deep(value);
        return plan;
    }
    // serde_json recurses once per level (and so would dropping a Value): give it room.
    let owned = text.to_owned();
    let stack = 256 * 1024 + depth * 4096;
    std::thread::Builder::new()
        .name("query-guard-plan-json".into())
        .stack_size(stack)
        .spawn(move || -> Result<Plan, PlanError> {
            let mut de = serde_json::Deserializer::from_str(&owned);
            de.disable_recursion_limit();
            let value: Value = serde::Deserialize::deserialize(&mut de).map_err(json_error)?;
            de.end().map_err(json_error)?;
            let plan = check_figures(&owned).and_then(|()| from_value(&value));
            drop_deep(value);
            plan
        })
        .map_err(|e| PlanError::syntax(1, 1, format!("a thread to parse a deep plan ({e})")))?
        .join()
        .unwrap_or_else(|_| {
            Err(PlanError::syntax(
                1,
                1,
                "a plan the JSON reader could handle",
            ))
        })
}

/// Drops a value without recursion deeper than one level at a time.
fn drop_deep(value: Value) {
    let mut stack = vec![value];
    while let Some(v) = stack.pop() {
        match v {
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => stack.extend(map.into_iter().map(|(_, v)| v)),
            _ => {}
        }
    }
}

/// Maximum bracket nesting outside strings (a linear scan, no allocation).
fn nesting_depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_str, mut escaped) = (0usize, 0usize, false, false);
    for &b in text.as_bytes() {
        if in_str {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

fn json_error(e: serde_json::Error) -> PlanError {
    use serde_json::error::Category;
    let what = match e.classify() {
        Category::Eof => "the rest of the JSON plan: it is cut short (a truncated paste?)",
        Category::Syntax => "valid JSON (a `,`, `:`, value, `]` or `}` here)",
        Category::Data => "a JSON plan",
        Category::Io => "readable input",
    };
    PlanError::syntax(e.line().max(1), e.column().max(1), what)
}
