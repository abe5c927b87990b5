//! JSON: an array of row objects (`SELECT json_agg(s) FROM pg_stat_statements s`), or one object
//! per line (`SELECT row_to_json(s) FROM pg_stat_statements s`, JSON lines). Values may be
//! numbers, strings (numbers in strings too), booleans or null. Objects may differ in their keys
//! (rows of several dumps concatenated): each object is matched by its own keys.

use serde_json::{Map, Value};

use super::columns::Builder;
use crate::failure::Failure;

/// Parse `text` into `b`.
pub(crate) fn parse(text: &str, b: &mut Builder) -> Result<(), Failure> {
    let name = b.source().to_owned();
    // Lines are counted incrementally: offsets only grow (counting from the start each time
    // made 50,000 JSON lines quadratic).
    let counted = std::cell::Cell::new((0usize, 1usize));
    let newlines = |a: usize, b: usize| {
        text.as_bytes()[a..b]
            .iter()
            .filter(|&&c| c == b'\n')
            .count()
    };
    let line_at = |offset: usize| {
        let offset = offset.min(text.len());
        let (from, line) = counted.get();
        if offset < from {
            return 1 + newlines(0, offset);
        }
        let line = line + newlines(from, offset);
        counted.set((offset, line));
        line
    };
    let bad = |offset: usize, e: &serde_json::Error| {
        // serde_json's line is relative to where the stream started.
        let line = line_at(offset) + e.line().saturating_sub(1);
        Failure::usage(format!(
            "{name} line {line}: invalid JSON ({}); expected an array of objects or one object per line",
            strip_position(e)
        ))
    };
    let trimmed_start = text.len() - text.trim_start().len();
    let mut pos = trimmed_start;
    let in_array = text[pos..].starts_with('[');
    if in_array {
        pos += 1;
    }
    let mut keys: Vec<String> = Vec::new();
    let mut cells: Vec<Option<String>> = Vec::new();
    let mut count = 0usize;
    loop {
        pos += text[pos..].len() - text[pos..].trim_start().len();
        if in_array {
            if pos >= text.len() {
                return Err(Failure::usage(format!(
                    "{name} line {}: the array is never closed; expected `]`",
                    line_at(pos)
                )));
            }
            if text[pos..].starts_with(']') {
                let rest = text[pos + 1..].trim();
                if !rest.is_empty() {
                    return Err(Failure::usage(format!(
                        "{name} line {}: text after the closing `]`; expected one JSON array",
                        line_at(text.len() - text[pos + 1..].trim_start().len())
                    )));
                }
                break;
            }
            if count > 0 {
                if !text[pos..].starts_with(',') {
                    return Err(Failure::usage(format!(
                        "{name} line {}: expected `,` or `]` between array elements",
                        line_at(pos)
                    )));
                }
                pos += 1;
                pos += text[pos..].len() - text[pos..].trim_start().len();
            }
            if pos >= text.len() {
                return Err(Failure::usage(format!(
                    "{name} line {}: the array is never closed; expected `]`",
                    line_at(pos)
                )));
            }
        } else if pos >= text.len() {
            break;
        }
        let line = line_at(pos);
        let mut stream = serde_json::Deserializer::from_str(&text[pos..]).into_iter::<Value>();
        let value = match stream.next() {
            Some(Ok(v)) => v,
            Some(Err(e)) => return Err(bad(pos, &e)),
            None => break,
        };
        pos += stream.byte_offset();
        count += 1;
        let obj = match value {
            Value::Object(o) => o,
            // `json_agg` over no rows is NULL: an empty dump.
            Value::Null if !in_array && count == 1 => continue,
            other => {
                return Err(Failure::usage(format!(
                    "{name} line {line}: a JSON {}; expected an object per pg_stat_statements row",
                    type_name(&other)
                )));
            }
        };
        if !same_keys(&keys, &obj) {
            keys = obj.keys().cloned().collect();
            b.header(&keys, line)?;
        }
        cells.clear();
        for k in &keys {
            cells.push(match obj.get(k) {
                None | Some(Value::Null) => None,
                Some(Value::String(s)) => Some(s.clone()),
                Some(Value::Bool(v)) => Some(v.to_string()),
                Some(Value::Number(n)) => Some(n.to_string()),
                Some(other) => {
                    return Err(Failure::usage(format!(
                        "{name} line {line}, column `{k}`: a JSON {}; expected a number, string, boolean or null",
                        type_name(other)
                    )));
                }
            });
        }
        let refs: Vec<Option<&str>> = cells.iter().map(|c| c.as_deref()).collect();
        b.row(line, &refs)?;
    }
    if count == 0 && keys.is_empty() {
        // No rows: nothing to learn the columns from; an empty report is the honest answer.
        b.header(&["query", "calls", "total_exec_time"], 1)?;
    }
    Ok(())
}

fn same_keys(keys: &[String], obj: &Map<String, Value>) -> bool {
    keys.len() == obj.len() && obj.keys().zip(keys).all(|(a, b)| a == b)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// serde_json's message without its own " at line L column C" (relative to the element).
fn strip_position(e: &serde_json::Error) -> String {
    let s = e.to_string();
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_owned(),
        None => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::columns::N;

    #[test]
    fn array_and_lines() {
        let arr = "[{\"query\":\"SELECT $1\",\"calls\":2,\"total_exec_time\":1.5,\"toplevel\":true},\n {\"query\":\"x\",\"calls\":\"3\",\"total_exec_time\":2e-3,\"toplevel\":null}]\n";
        let mut b = Builder::new("a.json");
        parse(arr, &mut b).unwrap();
        assert_eq!(b.entries.len(), 2);
        assert_eq!(b.entries[1].line, 2);
        assert_eq!(b.entries[1].get(N::Calls), 3.0);
        assert_eq!(b.entries[0].toplevel, Some(true));
        let lines = "{\"query\":\"a\",\"calls\":1,\"total_exec_time\":1}\n{\"query\":\"b\",\"calls\":2,\"total_exec_time\":1}\n";
        let mut b = Builder::new("l.json");
        parse(lines, &mut b).unwrap();
        assert_eq!(b.entries.len(), 2);
        assert_eq!(b.entries[1].line, 2);
    }

    #[test]
    fn malformed() {
        let mut b = Builder::new("a.json");
        let e = parse(
            "[{\"query\":\"a\",\"calls\":1,\"total_exec_time\":1},\n{\"query\": }]",
            &mut b,
        )
        .unwrap_err();
        assert!(
            e.message.starts_with("a.json line 2: invalid JSON"),
            "{}",
            e.message
        );
        let mut b = Builder::new("a.json");
        let e = parse("{\"query\":\"a\",\"calls\":1,\"total_exec_time\":1}\n{\"query\":\"a\",\"calls\":-1,\"total_exec_time\":1}", &mut b)
            .unwrap_err();
        assert!(
            e.message.starts_with("a.json line 2, column `calls`"),
            "{}",
            e.message
        );
        let mut b = Builder::new("a.json");
        let e = parse(
            "[{\"query\":\"a\",\"calls\":1,\"total_exec_time\":1}",
            &mut b,
        )
        .unwrap_err();
        assert!(e.message.contains("never closed"), "{}", e.message);
    }
}
