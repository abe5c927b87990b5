//! Reading Rust source just well enough to check imports: comments and the insides of string and
//! character literals blanked out, `#[cfg(test)]` items dropped, `use` trees flattened.
//!
//! Every function here keeps byte offsets: a blanked byte becomes a space (a newline stays a
//! newline), so an offset in the cleaned text is the same offset, and the same line, in the file.

/// Whether `b` can be part of an identifier (non-ASCII bytes count: they only occur inside
/// identifiers once comments and literals are gone).
fn is_ident(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

/// Blanks `out[from..to]`, keeping newlines.
fn blank(out: &mut [u8], from: usize, to: usize) {
    let to = to.min(out.len());
    for b in &mut out[from..to] {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// The end (one past the closing quote) of a string literal whose opening `"` is at `open`: raw
/// (`hashes` is `Some(number of #)`) or with backslash escapes.
fn string_end(b: &[u8], open: usize, hashes: Option<usize>) -> usize {
    let mut i = open + 1;
    while i < b.len() {
        match (b[i], hashes) {
            (b'\\', None) => i += 2,
            (b'"', None) => return i + 1,
            (b'"', Some(n)) if b[i + 1..].iter().take(n).filter(|&&c| c == b'#').count() == n => {
                return i + 1 + n;
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// `src` with comments (`//`, `///`, `//!`, nested `/* */`) blanked, and the insides of string,
/// byte-string, raw-string and character literals blanked (their quotes stay). Lifetimes and
/// labels (`'a`, `'static`) are left alone.
pub fn strip(src: &str) -> String {
    let b = src.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while i < b.len() {
        let at = |k: usize| b.get(k).copied().unwrap_or(0);
        match b[i] {
            b'/' if at(i + 1) == b'/' => {
                let end = b[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(b.len(), |p| i + p);
                blank(&mut out, i, end);
                i = end;
            }
            b'/' if at(i + 1) == b'*' => {
                let (mut depth, mut j) = (1, i + 2);
                while j < b.len() && depth > 0 {
                    if b[j] == b'/' && at(j + 1) == b'*' {
                        depth += 1;
                        j += 2;
                    } else if b[j] == b'*' && at(j + 1) == b'/' {
                        depth -= 1;
                        j += 2;
                    } else {
                        j += 1;
                    }
                }
                blank(&mut out, i, j);
                i = j;
            }
            b'"' => {
                let end = string_end(b, i, None);
                blank(&mut out, i + 1, end - 1);
                i = end;
            }
            b'\'' => {
                // A character literal ('x', '"', '\'', '\u{1F600}') or a lifetime or label.
                let end = if at(i + 1) == b'\\' {
                    b[i + 3..]
                        .iter()
                        .position(|&c| c == b'\'')
                        .map(|p| i + 3 + p + 1)
                } else {
                    let len = src[i + 1..].chars().next().map_or(1, char::len_utf8);
                    (at(i + 1 + len) == b'\'').then_some(i + 2 + len)
                };
                match end {
                    Some(end) => {
                        blank(&mut out, i + 1, end - 1);
                        i = end;
                    }
                    None => i += 1,
                }
            }
            c if is_ident(c) => {
                // An identifier, or the prefix of a literal: b"", br#""#, r"", c"", b'x'.
                let start = i;
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                let word = &src[start..i];
                let raw = matches!(word, "r" | "br" | "cr");
                if (raw || matches!(word, "b" | "c")) && matches!(at(i), b'"' | b'#') {
                    let hashes = b[i..].iter().take_while(|&&c| c == b'#').count();
                    if at(i + hashes) == b'"' && (raw || hashes == 0) {
                        let end = string_end(b, i + hashes, raw.then_some(hashes));
                        blank(
                            &mut out,
                            i + hashes + 1,
                            end - 1 - if raw { hashes } else { 0 },
                        );
                        i = end;
                    }
                } else if word == "b" && at(i) == b'\'' {
                    let skip = if at(i + 1) == b'\\' { 3 } else { 2 };
                    let end = b[i + skip..]
                        .iter()
                        .position(|&c| c == b'\'')
                        .map_or(b.len(), |p| i + skip + p + 1);
                    blank(&mut out, i + 1, end - 1);
                    i = end;
                }
            }
            _ => i += 1,
        }
    }
    String::from_utf8(out).expect("only ASCII bytes were written")
}

/// The index one past the bracket matching the one at `open` (`(`, `[` or `{`).
pub fn matching(b: &[u8], open: usize) -> usize {
    let mut depth = 0usize;
    for (k, &c) in b.iter().enumerate().skip(open) {
        match c {
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => {
                depth -= 1;
                if depth == 0 {
                    return k + 1;
                }
            }
            _ => {}
        }
    }
    b.len()
}

/// Skips whitespace from `i`.
pub fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i].is_ascii_whitespace() {
        i += 1;
    }
    i
}

/// Skips whitespace and outer attributes (`#[…]`) from `i`.
pub fn skip_attributes(b: &[u8], mut i: usize) -> usize {
    loop {
        i = skip_ws(b, i);
        if b.get(i) == Some(&b'#') && b.get(skip_ws(b, i + 1)) == Some(&b'[') {
            i = matching(b, skip_ws(b, i + 1));
        } else {
            return i;
        }
    }
}

/// The end of the item starting at `i` (after its attributes): its `;`, or its `{ … }` block,
/// whichever comes first outside parentheses and brackets.
fn item_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b';' => return i + 1,
            b'{' => return matching(b, i),
            b'(' | b'[' => i = matching(b, i),
            _ => i += 1,
        }
    }
    b.len()
}

/// A module declared without a body (`mod name;`), with its `#[path = "…"]` if it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModDecl {
    /// The module's name.
    pub name: String,
    /// The `#[path]` attribute's value, read from the original text.
    pub path: Option<String>,
    /// Whether it is `#[cfg(test)]`.
    pub test_only: bool,
}

/// The `mod name;` declarations of a stripped file (`original` is the file as written, to read
/// `#[path]` values from).
pub fn mod_decls(stripped: &str, original: &str) -> Vec<ModDecl> {
    let b = stripped.as_bytes();
    let mut decls = Vec::new();
    let mut i = 0;
    while let Some(p) = stripped[i..].find("mod") {
        let at = i + p;
        i = at + 3;
        if (at > 0 && is_ident(b[at - 1])) || b.get(at + 3).is_none_or(|&c| is_ident(c)) {
            continue;
        }
        let name_start = skip_ws(b, at + 3);
        let mut name_end = name_start;
        while name_end < b.len() && is_ident(b[name_end]) {
            name_end += 1;
        }
        if name_end == name_start || b.get(skip_ws(b, name_end)) != Some(&b';') {
            continue;
        }
        // The attributes before it: back over visibility, then up to the previous item's end.
        let item_start = stripped[..at].rfind([';', '}', '{']).map_or(0, |k| k + 1);
        let attrs = &stripped[item_start..at];
        let path = attrs.find("path").and_then(|k| {
            let open = item_start + k + attrs[k..].find('"')?;
            let close = open + 1 + original[open + 1..].find('"')?;
            Some(original[open + 1..close].to_owned())
        });
        let test_only = squeeze(attrs).contains("#[cfg(test)]");
        decls.push(ModDecl {
            name: stripped[name_start..name_end].to_owned(),
            path,
            test_only,
        });
    }
    decls
}

/// `text` without whitespace.
pub fn squeeze(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The stripped text with every `#[cfg(test)]` item (module, function, `use`, impl…) blanked.
pub fn drop_cfg_test(stripped: &str) -> String {
    let b = stripped.as_bytes();
    let mut out = b.to_vec();
    let mut i = 0;
    while let Some(p) = stripped[i..].find('#') {
        let at = i + p;
        i = at + 1;
        let open = skip_ws(b, at + 1);
        if b.get(open) != Some(&b'[') {
            continue;
        }
        let close = matching(b, open);
        if squeeze(&stripped[open..close]) != "[cfg(test)]" {
            continue;
        }
        let end = item_end(b, skip_attributes(b, close));
        blank(&mut out, at, end);
        i = end;
    }
    String::from_utf8(out).expect("only ASCII bytes were written")
}

/// The 1-based line of byte offset `at`.
pub fn line_of(text: &str, at: usize) -> usize {
    text[..at].bytes().filter(|&c| c == b'\n').count() + 1
}

/// One path a `use` declaration brings in: its segments (`crate`, `super`, `self` kept) and the
/// name it binds (`None` for a glob).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsePath {
    /// `["crate", "report", "Report"]`
    pub segments: Vec<String>,
    /// `Some("Report")`, the alias if renamed, `None` for `*`.
    pub binding: Option<String>,
}

/// A `use` declaration: where it is, its brace depth in the file (0: at the file's top level) and
/// the paths it brings in.
#[derive(Debug, Clone)]
pub struct Use {
    /// Byte offset of `use`.
    pub at: usize,
    /// One past its `;`.
    pub end: usize,
    /// How many braces enclose it.
    pub depth: usize,
    /// Every path of its tree.
    pub paths: Vec<UsePath>,
}

fn tokens(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            c if c.is_ascii_whitespace() || c == b'$' => i += 1,
            b':' if b.get(i + 1) == Some(&b':') => {
                out.push("::".to_owned());
                i += 2;
            }
            c if is_ident(c) => {
                let s = i;
                while i < b.len() && is_ident(b[i]) {
                    i += 1;
                }
                out.push(text[s..i].to_owned());
            }
            _ => {
                out.push((b[i] as char).to_string());
                i += 1;
            }
        }
    }
    out
}

/// Parses a use tree from `toks[*k..]` under `prefix`, pushing every path.
fn use_tree(toks: &[String], k: &mut usize, prefix: &[String], out: &mut Vec<UsePath>) {
    let mut path = prefix.to_vec();
    while *k < toks.len() {
        match toks[*k].as_str() {
            "::" => *k += 1,
            "*" => {
                *k += 1;
                out.push(UsePath {
                    segments: path,
                    binding: None,
                });
                return;
            }
            "{" => {
                *k += 1;
                while *k < toks.len() && toks[*k] != "}" {
                    if toks[*k] == "," {
                        *k += 1;
                        continue;
                    }
                    use_tree(toks, k, &path, out);
                }
                *k += 1;
                return;
            }
            "," | "}" | ";" => break,
            "as" => {
                *k += 1;
                let alias = toks.get(*k).cloned();
                *k += 1;
                out.push(UsePath {
                    segments: path,
                    binding: alias.filter(|a| a != "_"),
                });
                return;
            }
            word => {
                if word == "self" && !path.is_empty() && path.len() == prefix.len() {
                    // `a::{self}`: the module `a` itself.
                } else {
                    path.push(word.to_owned());
                }
                *k += 1;
            }
        }
    }
    let binding = path.last().cloned();
    out.push(UsePath {
        segments: path,
        binding,
    });
}

/// Every `use` declaration of a stripped file.
pub fn uses(stripped: &str) -> Vec<Use> {
    let b = stripped.as_bytes();
    let mut depth = vec![0usize; b.len() + 1];
    let mut d = 0usize;
    for (k, &c) in b.iter().enumerate() {
        depth[k] = d;
        match c {
            b'{' => d += 1,
            b'}' => d = d.saturating_sub(1),
            _ => {}
        }
    }
    let mut out = Vec::new();
    let mut i = 0;
    while let Some(p) = stripped[i..].find("use") {
        let at = i + p;
        i = at + 3;
        if (at > 0 && (is_ident(b[at - 1]) || b[at - 1] == b'$'))
            || b.get(at + 3).is_none_or(|&c| is_ident(c))
        {
            continue;
        }
        let Some(semi) = stripped[at..].find(';') else {
            break;
        };
        let end = at + semi + 1;
        let toks = tokens(&stripped[at + 3..end - 1]);
        let mut paths = Vec::new();
        let mut k = 0;
        use_tree(&toks, &mut k, &[], &mut paths);
        out.push(Use {
            at,
            end,
            depth: depth[at],
            paths,
        });
        i = end;
    }
    out
}
