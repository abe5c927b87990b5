//! A crate's modules, read from its `src/` files, and the references between them: every
//! `crate::…`, `super::…` and `self::…` path (in `use` declarations and in code), resolved to the
//! module it names, through the `use` re-exports of the modules on the way.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use super::source::{self, Use};

/// One source file of a crate that is compiled outside tests.
pub struct SourceFile {
    /// Its path from the workspace root, for messages.
    pub rel: String,
    /// Its module path (`[]` for the crate root, `["detect", "n_plus_one"]`).
    pub module: Vec<String>,
    /// The file as written.
    pub original: String,
    /// Comments, literals' insides and `#[cfg(test)]` items blanked (same offsets).
    pub code: String,
    /// Its `use` declarations.
    uses: Vec<Use>,
    /// Inline modules (`mod ffi { … }`): name, start and end offsets.
    inline: Vec<(String, usize, usize)>,
}

/// A path that names something of the crate: where it is written and the module it resolves to.
pub struct Reference {
    /// Index of the file in [`Crate::files`].
    pub file: usize,
    /// 1-based line.
    pub line: usize,
    /// The module it resolves to (`[]`: an item of the crate root).
    pub target: Vec<String>,
}

/// A crate's non-test sources.
pub struct Crate {
    /// Its package name.
    pub name: String,
    /// Its source files, test-only modules left out.
    pub files: Vec<SourceFile>,
    modules: BTreeSet<Vec<String>>,
    /// `(module, name)` → the absolute path a `use` at the top of the module binds to `name`.
    reexports: HashMap<(Vec<String>, String), Vec<String>>,
}

/// Every `.rs` file under `dir`, sorted.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if path.is_dir() {
            if !name.starts_with('.') && name != "target" {
                out.extend(rust_files(&path));
            }
        } else if name.ends_with(".rs") {
            out.push(path);
        }
    }
    out.sort();
    out
}

/// The module path a file has by its place under `src/` (`lib.rs`, `main.rs`: the root).
fn module_of(rel: &Path) -> Vec<String> {
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    let file = parts.pop().unwrap_or_default();
    let stem = file.trim_end_matches(".rs");
    let is_root = parts.is_empty() && matches!(stem, "lib" | "main");
    if stem != "mod" && !is_root {
        parts.push(stem.to_owned());
    }
    parts
}

/// `segments`, written in `module`, as an absolute path from the crate root; `None` for another
/// crate's path.
fn absolute(
    module: &[String],
    segments: &[String],
    modules: &BTreeSet<Vec<String>>,
) -> Option<Vec<String>> {
    let first = segments.first()?;
    match first.as_str() {
        "crate" => Some(segments[1..].to_vec()),
        "self" => Some(module.iter().chain(&segments[1..]).cloned().collect()),
        "super" => {
            let ups = segments.iter().take_while(|s| *s == "super").count();
            let base = module.get(..module.len().checked_sub(ups)?)?;
            Some(base.iter().chain(&segments[ups..]).cloned().collect())
        }
        // 2018 paths: a child module of the current one, or another crate.
        _ => {
            let child: Vec<String> = module.iter().chain([first]).cloned().collect();
            modules
                .contains(&child)
                .then(|| module.iter().chain(segments).cloned().collect())
        }
    }
}

impl Crate {
    /// Reads the crate in `dir` (its `src/`); `root` is the workspace root, for messages.
    pub fn load(name: &str, dir: &Path, root: &Path) -> Crate {
        let src = dir.join("src");
        struct Raw {
            path: PathBuf,
            module: Vec<String>,
            original: String,
            stripped: String,
        }
        let mut raw: Vec<Raw> = rust_files(&src)
            .into_iter()
            .map(|path| {
                let original = std::fs::read_to_string(&path).expect("read source");
                let stripped = source::strip(&original);
                let module = module_of(path.strip_prefix(&src).expect("under src"));
                Raw {
                    path,
                    module,
                    original,
                    stripped,
                }
            })
            .collect();
        // `#[path]` moves a module to another file; `#[cfg(test)] mod x;` makes x test-only.
        let mut moved: Vec<(PathBuf, Vec<String>)> = Vec::new();
        let mut test_only: Vec<Vec<String>> = Vec::new();
        let mut test_files: Vec<PathBuf> = Vec::new();
        for file in &raw {
            for decl in source::mod_decls(&file.stripped, &file.original) {
                let module: Vec<String> = file.module.iter().chain([&decl.name]).cloned().collect();
                let path = decl
                    .path
                    .map(|p| file.path.parent().expect("a directory").join(p));
                if decl.test_only {
                    test_files.extend(path);
                    test_only.push(module);
                } else if let Some(path) = path {
                    moved.push((path, module));
                }
            }
        }
        for file in &mut raw {
            if let Some((_, module)) = moved.iter().find(|(p, _)| *p == file.path) {
                file.module = module.clone();
            }
        }
        raw.retain(|f| {
            !test_files.contains(&f.path) && !test_only.iter().any(|t| f.module.starts_with(t))
        });
        let modules: BTreeSet<Vec<String>> = raw.iter().map(|f| f.module.clone()).collect();
        let files: Vec<SourceFile> = raw
            .into_iter()
            .map(|f| {
                let code = source::drop_cfg_test(&f.stripped);
                let uses = source::uses(&code);
                let inline = inline_modules(&code);
                let rel = f
                    .path
                    .strip_prefix(root)
                    .unwrap_or(&f.path)
                    .to_string_lossy()
                    .into_owned();
                SourceFile {
                    rel,
                    module: f.module,
                    original: f.original,
                    code,
                    uses,
                    inline,
                }
            })
            .collect();
        let mut reexports = HashMap::new();
        for file in &files {
            for u in file.uses.iter().filter(|u| u.depth == 0) {
                for p in &u.paths {
                    let (Some(name), Some(abs)) =
                        (&p.binding, absolute(&file.module, &p.segments, &modules))
                    else {
                        continue;
                    };
                    reexports.insert((file.module.clone(), name.clone()), abs);
                }
            }
        }
        Crate {
            name: name.to_owned(),
            files,
            modules,
            reexports,
        }
    }

    /// The module `path` names: its longest prefix that is a module, after following the `use`
    /// re-exports of the modules on the way (`crate::Report` → `report`).
    fn resolve(&self, mut path: Vec<String>) -> Vec<String> {
        for _ in 0..8 {
            let mut k = 0;
            while k < path.len() && self.modules.contains(&path[..=k]) {
                k += 1;
            }
            if k == path.len() {
                return path;
            }
            match self.reexports.get(&(path[..k].to_vec(), path[k].clone())) {
                Some(target) if target[..] != path[..=k] => {
                    path = target.iter().chain(&path[k + 1..]).cloned().collect();
                }
                _ => {
                    path.truncate(k);
                    return path;
                }
            }
        }
        path
    }

    /// Every reference of every file to a module of the crate.
    pub fn references(&self) -> Vec<Reference> {
        let mut out = Vec::new();
        for (index, file) in self.files.iter().enumerate() {
            let mut paths: Vec<(usize, Vec<String>)> = Vec::new();
            let mut code = file.code.clone().into_bytes();
            for u in &file.uses {
                paths.extend(u.paths.iter().map(|p| (u.at, p.segments.clone())));
                code[u.at..u.end].fill(b' ');
            }
            paths.extend(code_paths(&String::from_utf8(code).expect("ASCII blanks")));
            for (at, segments) in paths {
                let module: Vec<String> = file
                    .module
                    .iter()
                    .cloned()
                    .chain(
                        file.inline
                            .iter()
                            .filter(|(_, s, e)| (*s..*e).contains(&at))
                            .map(|(n, _, _)| n.clone()),
                    )
                    .collect();
                if let Some(abs) = absolute(&module, &segments, &self.modules) {
                    let line = source::line_of(&file.code, at);
                    out.push(Reference {
                        file: index,
                        line,
                        target: self.resolve(abs),
                    });
                }
            }
        }
        out
    }

    /// The edges between sibling modules: `from` uses `to`, both children of one module (the
    /// crate root for top-level modules), with the first place it does so.
    pub fn edges(&self) -> BTreeMap<(String, String), String> {
        let mut edges = BTreeMap::new();
        for r in self.references() {
            let from = &self.files[r.file].module;
            let k = from
                .iter()
                .zip(&r.target)
                .take_while(|(a, b)| a == b)
                .count();
            if k < from.len() && k < r.target.len() {
                let key = (from[..=k].join("::"), r.target[..=k].join("::"));
                edges
                    .entry(key)
                    .or_insert_with(|| format!("{}:{}", self.files[r.file].rel, r.line));
            }
        }
        edges
    }
}

/// The inline modules of a file (`mod name { … }`), as (name, start, end).
fn inline_modules(code: &str) -> Vec<(String, usize, usize)> {
    let b = code.as_bytes();
    let mut out = Vec::new();
    for (at, _) in code.match_indices("mod") {
        let before = at.checked_sub(1).map(|k| b[k]);
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == b'_') {
            continue;
        }
        let start = source::skip_ws(b, at + 3);
        let end = start
            + b[start..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
        let open = source::skip_ws(b, end);
        if end > start && end > at + 3 && b.get(open) == Some(&b'{') {
            out.push((code[start..end].to_owned(), open, source::matching(b, open)));
        }
    }
    out
}

/// The `crate::…`, `super::…` and `self::…` paths written in code (outside `use`), with their
/// offsets; `pub(super)`, `self.field` and the like are not paths.
fn code_paths(code: &str) -> Vec<(usize, Vec<String>)> {
    let b = code.as_bytes();
    let ident = |i: usize| {
        let n = b[i..]
            .iter()
            .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
            .count();
        (n > 0 && !b[i].is_ascii_digit()).then(|| code[i..i + n].to_owned())
    };
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let starts_word =
            i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_' || b[i - 1] == b':');
        let word = if starts_word { ident(i) } else { None };
        let Some(word) = word else {
            i += 1;
            continue;
        };
        let at = i;
        i += word.len();
        if !matches!(word.as_str(), "crate" | "super" | "self") {
            continue;
        }
        let mut segments = vec![word];
        loop {
            let j = source::skip_ws(b, i);
            if !code[j..].starts_with("::") {
                break;
            }
            let k = source::skip_ws(b, j + 2);
            match ident(k) {
                Some(next) => {
                    i = k + next.len();
                    segments.push(next);
                }
                None => break,
            }
        }
        if segments.len() > 1 {
            out.push((at, segments));
        }
    }
    out
}
