//! The architecture, checked: every dependency points down, between crates and between modules.
//!
//! - Crates: the layering below, against `cargo metadata` (normal and build dependencies).
//! - Modules: in each crate, no import cycle between sibling modules (top-level modules, and the
//!   files of one folder module among themselves), found from the `crate::`, `super::` and
//!   `self::` paths of its non-test sources.
//! - A few rules of their own: fingerprint imports nothing of ours, detect never imports report,
//!   the CLI never re-declares a library type, nothing is formatted on the hot path, no source
//!   file is over 800 lines.
//!
//! Nothing is compiled: the test runs `cargo metadata --no-deps --offline` and reads files.
//! Every failure names the rule and the file (and line) that breaks it.

#[path = "architecture/cycles.rs"]
mod cycles;
#[path = "architecture/modules.rs"]
mod modules;
#[path = "architecture/source.rs"]
mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cycles::Graph;
use modules::{Crate, rust_files};

/// The library crates, lowest first.
const LIBRARIES: &[&str] = &[
    "query-guard-format",
    "query-guard-fingerprint",
    "query-guard-explain",
    "query-guard-macros",
    "query-guard",
];

/// Everything a crate on top (the CLI's users: the demo, the end-to-end tests) may depend on.
const BELOW_THE_TOP: &[&str] = &[
    "query-guard-format",
    "query-guard-fingerprint",
    "query-guard-explain",
    "query-guard-macros",
    "query-guard",
    "query-guard-cli",
];

/// The layering, lowest first: each workspace crate and the workspace crates its
/// `[dependencies]` and `[build-dependencies]` may name. Dev-dependencies are not checked: they
/// may point anywhere (the macros' tests run against query-guard, the CLI's tests make report
/// files with the library), as they never reach a user's build. The fuzz crate is outside the
/// workspace and not checked.
const LAYERS: &[(&str, &[&str])] = &[
    ("query-guard-format", &[]),
    ("query-guard-fingerprint", &[]),
    (
        "query-guard-explain",
        &["query-guard-fingerprint", "query-guard-format"],
    ),
    ("query-guard-macros", &[]),
    (
        "query-guard",
        &[
            "query-guard-fingerprint",
            "query-guard-explain",
            "query-guard-format",
            "query-guard-macros",
        ],
    ),
    ("query-guard-cli", LIBRARIES),
    ("query-guard-demo", BELOW_THE_TOP),
    ("query-guard-tests", BELOW_THE_TOP),
];

/// The crates whose modules are checked for cycles (those that exist).
const MODULE_CHECKED: &[&str] = &[
    "query-guard-format",
    "query-guard-fingerprint",
    "query-guard-explain",
    "query-guard",
    "query-guard-cli",
];

/// The longest a source file may be.
const MAX_LINES: usize = 800;

/// Formatting that the hot path (the layer, `record`) does today, each with why it may: a line of
/// the file containing the code is allowed. An entry that matches nothing fails the test (remove
/// it).
const HOT_PATH_ALLOWED: &[(&str, &str, &str)] = &[
    (
        "query-guard/src/layer/fields.rs",
        "parse_debug_duration(&format!(\"{value:?}\"))",
        "sqlx before 0.7.4 records `elapsed` only as a Debug value: formatting it is the only way \
         to read it, and it happens only when `elapsed_secs` is missing",
    ),
    (
        "query-guard/src/layer/fields.rs",
        "let text = format!(\"{value:?}\");",
        "a statement recorded as `%sql`/`?sql` by other instrumentation reaches the visitor only \
         as `&dyn Debug`: its text exists only once formatted",
    ),
    (
        "query-guard/src/layer/fields.rs",
        "unquote_debug(format!(\"{value:?}\"))",
        "`db.system` recorded as a Debug value: read once per event that carries it that way",
    ),
    (
        "query-guard/src/layer/mod.rs",
        "let text = format!(\"{value:?}\");",
        "a span's `db.system` recorded as a Debug value: read once, when the span is created",
    ),
];

/// A workspace package, from `cargo metadata`.
struct Package {
    name: String,
    dir: PathBuf,
    /// (dependency name, kind: `None` normal, `Some("build")`, `Some("dev")`)
    deps: Vec<(String, Option<String>)>,
}

/// The workspace root and its packages.
fn workspace() -> &'static (PathBuf, Vec<Package>) {
    static WORKSPACE: OnceLock<(PathBuf, Vec<Package>)> = OnceLock::new();
    WORKSPACE.get_or_init(|| {
        let o = std::process::Command::new(env!("CARGO"))
            .args([
                "metadata",
                "--format-version",
                "1",
                "--no-deps",
                "--offline",
            ])
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .output()
            .expect("run cargo metadata");
        assert!(
            o.status.success(),
            "cargo metadata: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("cargo metadata JSON");
        let root = PathBuf::from(v["workspace_root"].as_str().expect("workspace_root"));
        let members: Vec<&str> = v["workspace_members"]
            .as_array()
            .expect("members")
            .iter()
            .filter_map(|m| m.as_str())
            .collect();
        let packages = v["packages"]
            .as_array()
            .expect("packages")
            .iter()
            .filter(|p| members.contains(&p["id"].as_str().unwrap_or_default()))
            .map(|p| Package {
                name: p["name"].as_str().expect("name").to_owned(),
                dir: Path::new(p["manifest_path"].as_str().expect("manifest_path"))
                    .parent()
                    .expect("a directory")
                    .to_path_buf(),
                deps: p["dependencies"]
                    .as_array()
                    .expect("dependencies")
                    .iter()
                    .map(|d| {
                        (
                            d["name"].as_str().expect("name").to_owned(),
                            d["kind"].as_str().map(str::to_owned),
                        )
                    })
                    .collect(),
            })
            .collect();
        (root, packages)
    })
}

/// The crates of [`MODULE_CHECKED`] that exist, read.
fn crates() -> &'static BTreeMap<String, Crate> {
    static CRATES: OnceLock<BTreeMap<String, Crate>> = OnceLock::new();
    CRATES.get_or_init(|| {
        let (root, packages) = workspace();
        packages
            .iter()
            .filter(|p| MODULE_CHECKED.contains(&p.name.as_str()))
            .map(|p| (p.name.clone(), Crate::load(&p.name, &p.dir, root)))
            .collect()
    })
}

/// Fails with every problem found, one per line, under the rule's name.
fn assert_none(rule: &str, problems: Vec<String>) {
    assert!(
        problems.is_empty(),
        "architecture rule \"{rule}\" is broken {} time(s):\n  {}\n",
        problems.len(),
        problems.join("\n  ")
    );
}

#[test]
fn the_layering_table_is_layered() {
    let mut problems = Vec::new();
    for (k, (name, allowed)) in LAYERS.iter().enumerate() {
        for dep in *allowed {
            if !LAYERS[..k].iter().any(|(below, _)| below == dep) {
                problems.push(format!(
                    "{name} may depend on {dep}, which is not listed below it in LAYERS"
                ));
            }
        }
    }
    assert_none(
        "LAYERS lists every crate after the crates it may depend on",
        problems,
    );
}

#[test]
fn crate_dependencies_point_down() {
    let (root, packages) = workspace();
    let names: Vec<&str> = packages.iter().map(|p| p.name.as_str()).collect();
    let mut problems = Vec::new();
    for p in packages {
        let dir = p.dir.strip_prefix(root).unwrap_or(&p.dir).display();
        let Some((_, allowed)) = LAYERS.iter().find(|(name, _)| *name == p.name) else {
            problems.push(format!(
                "{dir}/Cargo.toml: workspace crate {} is not in LAYERS (tests/architecture.rs): say what it may depend on",
                p.name
            ));
            continue;
        };
        for (dep, kind) in &p.deps {
            if kind.as_deref() == Some("dev") || !names.contains(&dep.as_str()) {
                continue;
            }
            if !allowed.contains(&dep.as_str()) {
                let section = if kind.as_deref() == Some("build") {
                    "build-dependencies"
                } else {
                    "dependencies"
                };
                problems.push(format!(
                    "{dir}/Cargo.toml: {} depends on {dep} in [{section}], which LAYERS does not allow \
                     (it may depend on: {})",
                    p.name,
                    if allowed.is_empty() { "no workspace crate".to_owned() } else { allowed.join(", ") }
                ));
            }
        }
    }
    assert_none("crate dependencies point down", problems);
}

#[test]
fn no_import_cycle_between_modules() {
    let mut problems = Vec::new();
    for krate in crates().values() {
        let edges = krate.edges();
        let mut graph = Graph::new();
        for (from, to) in edges.keys() {
            graph.entry(from.clone()).or_default().insert(to.clone());
        }
        for component in cycles::cyclic_components(&graph) {
            let cycle = cycles::cycle_through(&graph, &component, &component[0]);
            let mut text = format!("{}: {}", krate.name, cycle.join(" -> "));
            text.push_str(&format!(
                "\n    modules in this cycle: {}",
                component.join(", ")
            ));
            for ((from, to), at) in &edges {
                if component.contains(from) && component.contains(to) {
                    text.push_str(&format!("\n    {from} -> {to} ({at})"));
                }
            }
            problems.push(text);
        }
    }
    assert_none("no import cycle between modules", problems);
}

#[test]
fn fingerprint_imports_nothing_of_ours() {
    let Some(krate) = crates().get("query-guard-fingerprint") else {
        return;
    };
    let mut problems = Vec::new();
    for file in &krate.files {
        for (at, _) in file.code.match_indices("query_guard") {
            let b = file.code.as_bytes();
            if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
                continue;
            }
            let word: String = file.code[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            if word != "query_guard_fingerprint" {
                let line = source::line_of(&file.code, at);
                problems.push(format!(
                    "{}:{line}: names `{word}`: the fingerprint crate is a leaf",
                    file.rel
                ));
            }
        }
    }
    assert_none("fingerprint imports nothing of ours", problems);
}

#[test]
fn detect_never_imports_report() {
    let Some(krate) = crates().get("query-guard") else {
        return;
    };
    let problems = krate
        .references()
        .into_iter()
        .filter(|r| {
            krate.files[r.file]
                .module
                .first()
                .is_some_and(|m| m == "detect")
        })
        .filter(|r| r.target.first().is_some_and(|m| m == "report"))
        .map(|r| {
            format!(
                "{}:{}: uses crate::{}: detection must not depend on the report built from it",
                krate.files[r.file].rel,
                r.line,
                r.target.join("::")
            )
        })
        .collect();
    assert_none("detect never imports report", problems);
}

/// The `struct`/`enum` items of a file with the derives on them: (name, derives, offset).
fn type_items(code: &str) -> Vec<(String, String, usize)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    for (at, _) in code.match_indices('#') {
        let open = source::skip_ws(b, at + 1);
        if b.get(open) != Some(&b'[') {
            continue;
        }
        let attr = source::squeeze(&code[open..source::matching(b, open)]);
        let Some(derives) = attr.strip_prefix("[derive(") else {
            continue;
        };
        let mut i = source::skip_attributes(b, at);
        let rest = &code[i..];
        if let Some(after) = rest.strip_prefix("pub") {
            i += 3 + (after.len() - after.trim_start().len());
            if code[i..].starts_with('(') {
                i = source::skip_ws(b, source::matching(b, i));
            }
        }
        let words: Vec<&str> = code[i..].split_whitespace().take(2).collect();
        if let [kind @ ("struct" | "enum"), name] = words[..] {
            let name: String = name
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            out.push((format!("{kind} {name}"), derives.to_owned(), at));
        }
    }
    out
}

#[test]
fn the_cli_never_re_declares_a_library_type() {
    let all = crates();
    let (Some(lib), Some(cli)) = (all.get("query-guard"), all.get("query-guard-cli")) else {
        return;
    };
    let mut library: BTreeMap<String, String> = BTreeMap::new();
    // Every public type of the library: a report file holds types from report/, reported.rs,
    // shapes.rs, detect/, allow.rs, callsite/, stats.rs, statement.rs, budget.rs, classify.rs and
    // mode.rs, and a copy of any other library type would be a second declaration too.
    for file in &lib.files {
        let words: Vec<&str> = file.code.split_whitespace().collect();
        for w in words.windows(3) {
            if w[0] == "pub" && matches!(w[1], "struct" | "enum") {
                let name: String = w[2]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                library.entry(name).or_insert_with(|| file.rel.clone());
            }
        }
        // The types these modules publish from elsewhere (`pub use crate::reported::StatementReport`).
        for u in source::uses(&file.code) {
            if file.code[..u.at].trim_end().ends_with("pub") {
                for name in u.paths.into_iter().filter_map(|p| p.binding) {
                    library.entry(name).or_insert_with(|| file.rel.clone());
                }
            }
        }
    }
    let mut problems = Vec::new();
    for file in &cli.files {
        for (item, derives, at) in type_items(&file.code) {
            let name = item.split(' ').nth(1).unwrap_or_default();
            let deserialize = derives
                .split([',', '(', ')'])
                .any(|d| d.rsplit("::").next() == Some("Deserialize"));
            if let (true, Some(defined)) = (deserialize, library.get(name)) {
                let line = source::line_of(&file.code, at);
                problems.push(format!(
                    "{}:{line}: {item} derives Deserialize and re-declares the library's {name} \
                     ({defined}): read the library's type instead",
                    file.rel
                ));
            }
        }
    }
    assert_none("the CLI never re-declares a library type", problems);
}

#[test]
fn nothing_formatted_on_the_hot_path() {
    let Some(krate) = crates().get("query-guard") else {
        return;
    };
    let patterns = [
        "format!(",
        "format_args!(",
        "write!(",
        "writeln!(",
        "print!(",
        "println!(",
        "eprint!(",
        "eprintln!(",
        ".to_string()",
    ];
    let mut problems = Vec::new();
    let mut used = vec![false; HOT_PATH_ALLOWED.len()];
    let hot = |m: &[String]| m.first().is_some_and(|m| m == "layer") || m == ["record"];
    for file in krate.files.iter().filter(|f| hot(&f.module)) {
        let squeezed: Vec<String> = file.code.lines().map(source::squeeze).collect();
        for (n, line) in squeezed.iter().enumerate() {
            let Some(found) = patterns.iter().find(|p| {
                line.match_indices(*p).any(|(k, _)| {
                    k == 0 || p.starts_with('.') || !line.as_bytes()[k - 1].is_ascii_alphanumeric()
                })
            }) else {
                continue;
            };
            let written = file.original.lines().nth(n).unwrap_or_default();
            let allowed = HOT_PATH_ALLOWED.iter().position(|(f, code, _)| {
                file.rel.replace('\\', "/") == *f && written.contains(code)
            });
            match allowed {
                Some(k) => used[k] = true,
                None => problems.push(format!(
                    "{}:{}: `{}` on the hot path (the layer and `record` run for every statement): \
                     {}",
                    file.rel,
                    n + 1,
                    found.trim_end_matches('('),
                    written.trim()
                )),
            }
        }
    }
    for (k, (file, code, _)) in HOT_PATH_ALLOWED.iter().enumerate() {
        if !used[k] {
            problems.push(format!(
                "{file}: HOT_PATH_ALLOWED lists `{code}`, which is no longer there: remove it"
            ));
        }
    }
    assert_none("nothing formatted on the hot path", problems);
}

#[test]
fn no_source_file_over_800_lines() {
    let (root, packages) = workspace();
    let mut problems = Vec::new();
    for p in packages {
        for path in rust_files(&p.dir) {
            let lines = std::fs::read_to_string(&path)
                .expect("read source")
                .lines()
                .count();
            if lines > MAX_LINES {
                let rel = path.strip_prefix(root).unwrap_or(&path);
                problems.push(format!(
                    "{}: {lines} lines (at most {MAX_LINES}): split it",
                    rel.display()
                ));
            }
        }
    }
    assert_none("no source file over 800 lines", problems);
}

#[test]
fn the_source_reader_handles_our_syntax() {
    let src = r##"use crate::a::{self, b::{C, D as E}, f::*};
// crate::commented
/* crate::block /* nested */ crate::still */
fn g<'a>(x: &'a str) -> char { let _ = "crate::in_string \" crate::x"; let _ = r#"crate::raw "# ; '"' }
fn h() { let _ = b'\''; let _ = '\\'; super::sibling::f(); 'outer: loop { break 'outer; } }
#[cfg(test)]
mod tests { use crate::only_in_tests; }
#[cfg(test)] #[path = "t.rs"] mod t;
pub(super) fn i() -> [u8; 2] { self::j(); [0; 2] }
"##;
    let stripped = source::strip(src);
    assert_eq!(stripped.len(), src.len());
    assert_eq!(stripped.lines().count(), src.lines().count());
    for gone in [
        "commented",
        "block",
        "still",
        "in_string",
        "crate::x",
        "raw",
    ] {
        assert!(!stripped.contains(gone), "{gone} left in:\n{stripped}");
    }
    assert!(
        stripped.contains("super::sibling::f()") && stripped.contains("'outer"),
        "{stripped}"
    );
    let decls = source::mod_decls(&stripped, src);
    assert_eq!(decls.len(), 1, "{decls:?}");
    assert!(
        decls[0].test_only && decls[0].path.as_deref() == Some("t.rs"),
        "{decls:?}"
    );
    let code = source::drop_cfg_test(&stripped);
    assert!(
        !code.contains("only_in_tests") && code.contains("self::j()"),
        "{code}"
    );
    let uses = source::uses(&code);
    let paths: Vec<(String, Option<String>)> = uses[0]
        .paths
        .iter()
        .map(|p| (p.segments.join("::"), p.binding.clone()))
        .collect();
    let some = |s: &str| Some(s.to_owned());
    assert_eq!(
        paths,
        [
            ("crate::a".to_owned(), some("a")),
            ("crate::a::b::C".to_owned(), some("C")),
            ("crate::a::b::D".to_owned(), some("E")),
            ("crate::a::f".to_owned(), None),
        ]
    );
}

#[test]
fn the_module_reader_follows_re_exports_and_leaves_tests_out() {
    let dir = std::env::temp_dir().join(format!("query-guard-architecture-{}", std::process::id()));
    let files = [
        (
            "src/lib.rs",
            "mod a;\nmod b;\n#[path = \"other.rs\"]\nmod c;\npub use b::Thing;\n#[cfg(test)]\nmod tests;\n",
        ),
        ("src/a.rs", "use crate::Thing;\npub(super) fn g() {}\n"),
        ("src/b.rs", "pub struct Thing;\nfn f() { super::c::h(); }\n"),
        ("src/other.rs", "pub(crate) fn h() { crate::a::g() }\n"),
        (
            "src/tests.rs",
            "use crate::b::Thing;\nfn t() { crate::c::h() }\n",
        ),
        (
            "src/d/mod.rs",
            "mod x;\nmod y;\npub(crate) use y::Y;\n#[derive(Debug, serde::Deserialize)]\n#[serde(default)]\npub(crate) struct Counts;\n",
        ),
        ("src/d/x.rs", "use super::Y;\n"),
        (
            "src/d/y.rs",
            "pub(crate) struct Y;\nmod inner { fn i() { super::super::x::f(); } }\n",
        ),
    ];
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let krate = Crate::load("demo", &dir, &dir);
    let _ = std::fs::remove_dir_all(&dir);
    let mut modules: Vec<String> = krate.files.iter().map(|f| f.module.join("::")).collect();
    modules.sort();
    assert_eq!(modules, ["", "a", "b", "c", "d", "d::x", "d::y"]);
    let edges: Vec<(String, String)> = krate.edges().into_keys().collect();
    let pair = |a: &str, b: &str| (a.to_owned(), b.to_owned());
    assert_eq!(
        edges,
        [
            pair("a", "b"),
            pair("b", "c"),
            pair("c", "a"),
            pair("d::x", "d::y"),
            pair("d::y", "d::x")
        ]
    );
    let d = krate.files.iter().find(|f| f.module == ["d"]).unwrap();
    let items = type_items(&d.code);
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0].0, "struct Counts");
    assert!(items[0].1.contains("serde::Deserialize"), "{items:?}");
}
