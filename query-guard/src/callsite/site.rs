//! The call site itself: what it holds, how it displays and serialises.

use std::fmt;

use super::symbols::display_name;

/// Where in the application a statement ran: the first frame of its stack outside query-guard,
/// the database driver, the async runtime and the standard library.
///
/// Displays as `src/posts.rs:42 (my_app::posts::list_posts)`, or just the function when debug
/// info does not say where it is; serialises as `{"function": …, "file": …, "line": …}`.
///
/// ```
/// use query_guard::callsite::CallSite;
///
/// /// An editor link (`file:line`) when debug info gave one, else the function.
/// fn link(site: &CallSite) -> String {
///     match (site.file(), site.line()) {
///         (Some(file), Some(line)) => format!("{file}:{line}"),
///         _ => site.function().to_owned(),
///     }
/// }
/// # let _ = link;
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CallSite {
    function: Box<str>,
    file: Option<Box<str>>,
    line: Option<u32>,
}

impl CallSite {
    pub(crate) fn new(function: &str, file: Option<&str>, line: Option<u32>) -> CallSite {
        CallSite {
            function: display_name(function).into(),
            file: file.map(Into::into),
            line,
        }
    }

    /// The function, demangled, without the compiler's `::h0123…` hash: for example
    /// `my_app::posts::list_posts`, or `my_app::posts::list_posts::{{closure}}` inside an async
    /// fn or a closure. Only the bare name (`list_posts`, `{async_fn#0}`) when line-tables-only
    /// debug info is all that names the function (see the [module docs](super#debug-info)).
    pub fn function(&self) -> &str {
        &self.function
    }

    /// The source file, relative to the current directory when it is under it, else as the
    /// compiler recorded it. `None` without debug info.
    pub fn file(&self) -> Option<&str> {
        self.file.as_deref()
    }

    /// The line in [`file`](Self::file). `None` without debug info.
    pub fn line(&self) -> Option<u32> {
        self.line
    }
}

impl fmt::Display for CallSite {
    /// `file:line (function)`, `file (function)` without a line, or `function` without a file.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{file}:{line} ({})", self.function),
            (Some(file), None) => write!(f, "{file} ({})", self.function),
            (None, _) => f.write_str(&self.function),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_and_serialize() {
        let full = CallSite::new(
            "my_app::posts::list_posts::h1a2b3c4d5e6f7a8b",
            Some("src/posts.rs"),
            Some(42),
        );
        assert_eq!(full.function(), "my_app::posts::list_posts");
        assert_eq!(full.file(), Some("src/posts.rs"));
        assert_eq!(full.line(), Some(42));
        assert_eq!(
            full.to_string(),
            "src/posts.rs:42 (my_app::posts::list_posts)"
        );
        assert_eq!(
            serde_json::to_value(&full).unwrap(),
            serde_json::json!({"function": "my_app::posts::list_posts", "file": "src/posts.rs", "line": 42})
        );

        let no_line = CallSite::new("my_app::f", Some("src/f.rs"), None);
        assert_eq!(no_line.to_string(), "src/f.rs (my_app::f)");

        let bare = CallSite::new("my_app::f", None, None);
        assert_eq!(bare.to_string(), "my_app::f");
        assert_eq!(
            serde_json::to_value(&bare).unwrap(),
            serde_json::json!({"function": "my_app::f", "file": null, "line": null})
        );
    }
}
