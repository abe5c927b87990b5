//! CSV as PostgreSQL's `COPY … CSV HEADER` writes it (RFC 4180): `,` between fields, `"` quotes,
//! `""` for a quote inside quotes, new lines inside quoted fields, `\n` or `\r\n` between records.
//! An unquoted empty field is NULL, a quoted one (`""`) an empty string, as COPY means them.

use std::borrow::Cow;

use super::columns::Builder;
use crate::failure::Failure;

/// One field: its text, and whether it was quoted (an unquoted empty field is NULL).
struct Field<'a> {
    text: Cow<'a, str>,
    quoted: bool,
}

/// Parse `text` into `b`: the first record is the header.
pub(crate) fn parse(text: &str, b: &mut Builder) -> Result<(), Failure> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut line = 1;
    let mut header_seen = false;
    let mut fields: Vec<Field<'_>> = Vec::new();
    while pos < bytes.len() {
        let start_line = line;
        fields.clear();
        // One record.
        loop {
            let field_line = line;
            if bytes.get(pos) == Some(&b'"') {
                pos += 1;
                let start = pos;
                let mut owned: Option<String> = None;
                let mut seg = start;
                let text_field = loop {
                    match bytes.get(pos) {
                        None => {
                            return Err(Failure::usage(format!(
                                "{} line {field_line}: a quoted field is never closed; expected a closing `\"`",
                                b.source()
                            )));
                        }
                        Some(b'"') if bytes.get(pos + 1) == Some(&b'"') => {
                            // `""`: one quote; keep the text up to and including it.
                            owned
                                .get_or_insert_with(String::new)
                                .push_str(&text[seg..=pos]);
                            pos += 2;
                            seg = pos;
                        }
                        Some(b'"') => {
                            let end = pos;
                            pos += 1;
                            break match owned {
                                Some(mut s) => {
                                    s.push_str(&text[seg..end]);
                                    Cow::Owned(s)
                                }
                                None => Cow::Borrowed(&text[start..end]),
                            };
                        }
                        Some(b'\n') => {
                            line += 1;
                            pos += 1;
                        }
                        Some(_) => pos += 1,
                    }
                };
                fields.push(Field {
                    text: text_field,
                    quoted: true,
                });
                match bytes.get(pos) {
                    None | Some(b',') | Some(b'\n') | Some(b'\r') => {}
                    Some(_) => {
                        return Err(Failure::usage(format!(
                            "{} line {line}, field {}: text after a closing quote; expected `,` or the end of the line",
                            b.source(),
                            fields.len()
                        )));
                    }
                }
            } else {
                let start = pos;
                while pos < bytes.len() && !matches!(bytes[pos], b',' | b'\n' | b'\r') {
                    pos += 1;
                }
                fields.push(Field {
                    text: Cow::Borrowed(&text[start..pos]),
                    quoted: false,
                });
            }
            match bytes.get(pos) {
                Some(b',') => {
                    pos += 1;
                }
                Some(b'\r') => {
                    pos += 1;
                    if bytes.get(pos) == Some(&b'\n') {
                        pos += 1;
                    }
                    line += 1;
                    break;
                }
                Some(b'\n') => {
                    pos += 1;
                    line += 1;
                    break;
                }
                _ => break,
            }
        }
        // Skip blank lines (a trailing new line, or blank lines between records).
        if fields.len() == 1 && !fields[0].quoted && fields[0].text.trim().is_empty() {
            continue;
        }
        if !header_seen {
            let names: Vec<&str> = fields.iter().map(|f| f.text.as_ref()).collect();
            b.header(&names, start_line)?;
            header_seen = true;
            continue;
        }
        if fields.len() != b.width() {
            return Err(Failure::usage(format!(
                "{} line {start_line}: {} fields, but the header has {}; expected one field per column (quote fields that hold commas or new lines)",
                b.source(),
                fields.len(),
                b.width()
            )));
        }
        let cells: Vec<Option<&str>> = fields
            .iter()
            .map(|f| (f.quoted || !f.text.is_empty()).then_some(f.text.as_ref()))
            .collect();
        b.row(start_line, &cells)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::columns::N;

    #[test]
    fn quotes_new_lines_and_nulls() {
        let mut b = Builder::new("t.csv");
        let text = "query,calls,total_exec_time,rows\r\n\"SELECT \"\"a\"\",\nb FROM t\",2,1.5,\n\"x\",1,2,3\n\n";
        parse(text, &mut b).unwrap();
        assert_eq!(b.entries.len(), 2);
        assert_eq!(b.entries[0].query, "SELECT \"a\",\nb FROM t");
        assert_eq!(b.entries[0].opt(N::Rows), None);
        assert_eq!(b.entries[1].line, 4);
        assert_eq!(b.entries[1].get(N::Rows), 3.0);
    }

    #[test]
    fn malformed() {
        let mut b = Builder::new("t.csv");
        let e = parse("query,calls,total_exec_time\n\"SELECT 1,1,1\n", &mut b).unwrap_err();
        assert!(
            e.message
                .starts_with("t.csv line 2: a quoted field is never closed"),
            "{}",
            e.message
        );
        let mut b = Builder::new("t.csv");
        let e = parse("query,calls,total_exec_time\nSELECT 1,1\n", &mut b).unwrap_err();
        assert!(
            e.message
                .starts_with("t.csv line 2: 2 fields, but the header has 3"),
            "{}",
            e.message
        );
        let mut b = Builder::new("t.csv");
        let e = parse("query,calls,total_exec_time\nq,1,1\nq,x,1\n", &mut b).unwrap_err();
        assert!(
            e.message.starts_with("t.csv line 3, column `calls`"),
            "{}",
            e.message
        );
    }
}
