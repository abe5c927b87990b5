//! Whose code a frame is: the crate of a demangled symbol or of a source file, and which crates
//! are skipped.

/// Crates whose frames are never a call site. Keep in step with the list in the module docs
/// (a test checks it).
const SKIPPED_CRATES: &[&str] = &[
    // The standard library.
    "std",
    "core",
    "alloc",
    "test",
    "std_detect",
    // Ourselves (every crate of the workspace a statement can pass through) and tracing.
    "query_guard",
    "query_guard_explain",
    "query_guard_fingerprint",
    "query_guard_format",
    "tracing",
    "tracing_core",
    "tracing_subscriber",
    "tracing_futures",
    "tracing_log",
    "backtrace",
    // Drivers and ORMs.
    "sqlx",
    "sqlx_core",
    "sqlx_postgres",
    "sqlx_mysql",
    "sqlx_sqlite",
    "sqlx_macros_core",
    "libsqlite3_sys",
    "sea_orm",
    "sea_query",
    "diesel",
    "diesel_async",
    "diesel_tracing",
    // Async machinery.
    "tokio",
    "tokio_util",
    "tokio_stream",
    "futures",
    "futures_util",
    "futures_core",
    "futures_executor",
    "futures_channel",
    "futures_intrusive",
    "async_stream",
    "async_trait",
    "pin_project",
    // HTTP stacks.
    "hyper",
    "hyper_util",
    "tower",
    "tower_service",
    "tower_layer",
    "tower_http",
    "axum",
    "axum_core",
];

/// `name` without a trailing legacy-mangling hash (`::h` and 16 hex digits).
fn strip_hash(name: &str) -> &str {
    let name = name.trim();
    match name.rsplit_once("::h") {
        Some((path, hash)) if hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()) => {
            path
        }
        _ => name,
    }
}

/// Whether a demangled symbol is a Rust path (`my_app::f`, `<T as Tr>::f`). Names from the
/// symbol table and from full debug info are; line-tables-only debug info names a function that
/// had calls inlined into it, and each inlined call, by its bare name (`list_posts<T>`,
/// `{closure#0}`), and the names of C functions are bare too.
fn is_path(symbol: &str) -> bool {
    let head = symbol.find('<').map_or(symbol, |i| &symbol[..i]);
    symbol.starts_with('<') || head.contains("::")
}

/// How a function is shown: bare names lose their generic arguments, which can run to
/// kilobytes (`on_event<tracing_subscriber::layer::layered::Layered<…>>`).
pub(super) fn display_name(symbol: &str) -> &str {
    let symbol = strip_hash(symbol);
    if is_path(symbol) {
        return symbol;
    }
    match symbol.find('<') {
        Some(i) if i > 0 => &symbol[..i],
        _ => symbol,
    }
}

/// For `<Self as Trait>::rest` (or `<Self>::rest`), `Self` and `Trait`.
fn split_qualified(symbol: &str) -> Option<(&str, Option<&str>)> {
    let inner = symbol.strip_prefix('<')?;
    let mut depth = 0_usize;
    let mut as_at = None;
    let mut prev = '\0';
    for (i, c) in inner.char_indices() {
        match c {
            '<' | '[' | '(' => depth += 1,
            // `->` in a function type is not a bracket.
            '>' if prev == '-' => {}
            '>' | ']' | ')' => {
                if depth == 0 {
                    return Some(match as_at {
                        Some(at) => (&inner[..at], inner.get(at + 4..i)),
                        None => (&inner[..i], None),
                    });
                }
                depth -= 1;
            }
            ' ' if depth == 0 && as_at.is_none() && inner[i..].starts_with(" as ") => {
                as_at = Some(i);
            }
            _ => {}
        }
        prev = c;
    }
    None
}

/// The crate of a type or path: its first segment, when it is a path (`my_app::Post`,
/// `&mut alloc::vec::Vec<T>`, `dyn my_app::Repo`); `None` for type parameters (`T`), primitives
/// (`str`, `u8`), slices, arrays, tuples and function pointers.
fn path_crate(ty: &str) -> Option<&str> {
    let mut t = ty.trim_start();
    loop {
        let before = t;
        for prefix in [
            "&", "mut ", "dyn ", "impl ", "*const ", "*mut ", "'_ ", "'static ",
        ] {
            if let Some(rest) = t.strip_prefix(prefix) {
                t = rest.trim_start();
            }
        }
        if t == before {
            break;
        }
    }
    if t.starts_with('<') {
        let (self_ty, trait_ty) = split_qualified(t)?;
        return path_crate(self_ty).or_else(|| trait_ty.and_then(path_crate));
    }
    let end = t
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(t.len());
    let (ident, mut rest) = t.split_at(end);
    // v0 symbols printed in full carry a disambiguator: `my_app[1a2b3c4d]::posts`.
    if rest.starts_with('[') {
        rest = rest.find(']').map_or("", |i| &rest[i + 1..]);
    }
    (!ident.is_empty() && rest.starts_with("::")).then_some(ident)
}

/// The crate a demangled symbol belongs to: the first path segment, after any leading `<`, `&`,
/// `mut `, `dyn `, `impl `. For a method of `<Self as Trait>`, `Self`'s crate
/// (`<my_app::Foo as sqlx::FromRow>::from_row` is `my_app`), or `Trait`'s when `Self` is not a
/// path (a type parameter or a primitive). Empty when neither is known (`<[T]>::sort`, which only
/// the standard library can define); the whole symbol when it is not a path (`main`).
fn crate_of(symbol: &str) -> &str {
    let symbol = strip_hash(symbol);
    match split_qualified(symbol) {
        Some((self_ty, trait_ty)) => path_crate(self_ty)
            .or_else(|| trait_ty.and_then(path_crate))
            .unwrap_or(""),
        None => path_crate(symbol).unwrap_or_else(|| symbol.split("::").next().unwrap_or(symbol)),
    }
}

/// For a method of `<Self as Trait>`, `Trait`'s crate.
fn trait_crate_of(symbol: &str) -> Option<&str> {
    split_qualified(strip_hash(symbol))?.1.and_then(path_crate)
}

/// The crate a source file belongs to, from where cargo and rustup put sources:
///
/// - `/rustc/<commit>/library/…`: the standard library (`std`);
/// - `…/<package>-<version>/src/…` (crates.io sources), `…/<package>/src/…` (workspace members,
///   path dependencies), `…/git/checkouts/<repo>-<hash>/<rev>/[<package>/]src/…` (git
///   dependencies): the package, with `-` read as `_`;
/// - anything else (`src/main.rs` of a package run from its own directory, `tests/…`,
///   generated files): `None`, unknown.
fn crate_of_file(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.split(['/', '\\']).filter(|p| !p.is_empty()).collect();
    let is_commit = |p: &str| p.len() >= 7 && p.bytes().all(|b| b.is_ascii_hexdigit());
    if parts.windows(2).any(|w| w[0] == "rustc" && is_commit(w[1])) {
        return Some("std".to_string());
    }
    let src = parts.iter().rposition(|p| *p == "src").filter(|&i| i > 0)?;
    let mut package = parts[src - 1];
    // A git checkout of a single package: `checkouts/<repo>-<hash>/<rev>/src`.
    if src >= 3 && parts[src - 3] == "checkouts" {
        let repo = parts[src - 2];
        package = repo.rsplit_once('-').map_or(repo, |(name, _hash)| name);
    }
    Some(strip_version(package).replace('-', "_"))
}

/// `sqlx-core-0.9.0` → `sqlx-core`; `sha-1-0.10.1` → `sha-1`; names without a version as they are.
fn strip_version(dir: &str) -> &str {
    let looks_like_version = |v: &str| {
        let mut parts = v.splitn(3, '.');
        let numeric =
            |p: Option<&str>| p.is_some_and(|p| p.starts_with(|c: char| c.is_ascii_digit()));
        let whole = |p: Option<&str>| {
            p.is_some_and(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        };
        whole(parts.next()) && whole(parts.next()) && numeric(parts.next())
    };
    dir.match_indices('-')
        .map(|(i, _)| i)
        .find(|&i| looks_like_version(&dir[i + 1..]))
        .map_or(dir, |i| &dir[..i])
}

/// Whose code a frame is, as far as its symbol and source file tell.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Owner {
    /// Not Rust: C functions, the entry points of threads and processes (`_start`,
    /// `__libc_start_main`, `start_thread`, `clone3`, the C `main` rustc generates), the
    /// unwinder. Never a call site.
    Foreign,
    /// Rust code of these crates: one for a function, two for a trait method (its type's and its
    /// trait's, the two crates Rust's orphan rules allow an impl in); none when neither is known
    /// (a method of a primitive, which only the standard library defines).
    Crates(Vec<Crate>),
    /// Rust code whose crate cannot be told: a bare name in a file outside any package
    /// directory, such as `src/main.rs`. The application's.
    Unknown,
}

/// A crate name, with whether [`SKIPPED_CRATES`] has it (looked up once, not per capture).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Crate {
    name: Box<str>,
    builtin: bool,
}

impl Crate {
    fn new(name: &str) -> Crate {
        Crate {
            name: name.into(),
            builtin: SKIPPED_CRATES.contains(&name),
        }
    }

    /// Skipped: built in, or starts with one of `extra` (empty entries match nothing).
    fn skipped(&self, extra: &[String]) -> bool {
        self.builtin
            || extra
                .iter()
                .any(|prefix| !prefix.is_empty() && self.name.starts_with(prefix.as_str()))
    }
}

impl Owner {
    /// The database whose sqlx driver this code is.
    pub(super) fn driver(&self) -> Option<crate::fingerprint::Dialect> {
        use crate::fingerprint::Dialect;
        let Owner::Crates(crates) = self else {
            return None;
        };
        crates.iter().find_map(|c| match &*c.name {
            "sqlx_postgres" => Some(Dialect::Postgres),
            "sqlx_mysql" => Some(Dialect::MySql),
            "sqlx_sqlite" => Some(Dialect::Sqlite),
            _ => None,
        })
    }

    pub(super) fn skipped(&self, extra: &[String]) -> bool {
        match self {
            Owner::Foreign => true,
            Owner::Crates(crates) => crates.iter().all(|krate| krate.skipped(extra)),
            Owner::Unknown => false,
        }
    }
}

/// Classifies a frame from its demangled symbol and, when debug info has it, its source file (as
/// recorded, before it is made relative).
///
/// A Rust path is classified by its crates. A bare name (line-tables-only debug info, see
/// [`is_path`]) is classified by its file when that is a Rust file, and is foreign otherwise.
pub(super) fn owner(symbol: &str, file: Option<&str>) -> Owner {
    let symbol = strip_hash(symbol);
    if symbol.is_empty() {
        return Owner::Foreign;
    }
    if is_path(symbol) {
        let own = Some(crate_of(symbol)).filter(|c| !c.is_empty());
        let crates = own.into_iter().chain(trait_crate_of(symbol));
        return Owner::Crates(crates.map(Crate::new).collect());
    }
    match file {
        Some(file) if file.ends_with(".rs") => match crate_of_file(file) {
            Some(krate) => Owner::Crates(vec![Crate::new(&krate)]),
            None => Owner::Unknown,
        },
        _ => Owner::Foreign,
    }
}

/// Whether a frame is skipped (see the [module docs](super)): foreign code, or code of skipped crates
/// only. `file` as debug info recorded it; `extra` are more crate-name prefixes to skip.
///
/// The walk does the same in two steps: [`owner`] once per address (cached), then
/// [`Owner::skipped`] per capture, with that capture's `extra`.
#[cfg(test)]
pub(super) fn skipped(symbol: &str, file: Option<&str>, extra: &[String]) -> bool {
    owner(symbol, file).skipped(extra)
}

/// `names` as the `extra` crate-name prefixes of a capture.
#[cfg(test)]
pub(super) fn extra(names: &[&str]) -> Vec<String> {
    names.iter().map(|s| s.to_string()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_of_plain_paths() {
        assert_eq!(crate_of("my_app::posts::list_posts"), "my_app");
        assert_eq!(crate_of("my_app::posts::list_posts::{{closure}}"), "my_app");
        assert_eq!(crate_of("my_app::posts::list_posts::{closure#0}"), "my_app");
        assert_eq!(
            crate_of("my_app::posts::list_posts::h1a2b3c4d5e6f7a8b"),
            "my_app"
        );
        assert_eq!(
            crate_of("my_app[1a2b3c4d5e6f7a8b]::posts::list_posts"),
            "my_app"
        );
        assert_eq!(crate_of("core::ops::function::FnOnce::call_once"), "core");
        assert_eq!(crate_of("alloc::slice::<impl [T]>::sort_by"), "alloc");
        assert_eq!(
            crate_of(
                "query_guard::layer::<impl tracing_subscriber::layer::Layer<S> for query_guard::layer::QueryGuardLayer>::on_event"
            ),
            "query_guard"
        );
        assert_eq!(
            crate_of("sea_orm::executor::select::Selector<S>::all::{{closure}}"),
            "sea_orm"
        );
    }

    #[test]
    fn crate_of_impls_is_the_self_type_crate() {
        assert_eq!(
            crate_of("<my_app::Foo as sqlx::FromRow>::from_row"),
            "my_app"
        );
        assert_eq!(
            crate_of(
                "<my_app::Post as sqlx_core::from_row::FromRow<sqlx_postgres::row::PgRow>>::from_row"
            ),
            "my_app"
        );
        assert_eq!(
            crate_of("<sqlx_core::pool::Pool<DB> as core::clone::Clone>::clone"),
            "sqlx_core"
        );
        assert_eq!(
            crate_of("<&mut my_app::Repo as core::fmt::Debug>::fmt"),
            "my_app"
        );
        assert_eq!(crate_of("<dyn my_app::Repo>::name"), "my_app");
        assert_eq!(crate_of("<dyn core::any::Any>::is"), "core");
        assert_eq!(crate_of("<my_app::Foo>::bar"), "my_app");
        assert_eq!(crate_of("<impl my_app::Tr>::go"), "my_app");
        assert_eq!(
            crate_of("<<my_app::A as my_app::Tr>::Out as core::fmt::Debug>::fmt"),
            "my_app"
        );
        assert_eq!(
            crate_of(
                "<tracing::instrument::Instrumented<T> as core::future::future::Future>::poll::h0123456789abcdef"
            ),
            "tracing"
        );
    }

    #[test]
    fn crate_of_impls_for_parameters_and_primitives_is_the_trait_crate() {
        assert_eq!(
            crate_of("<F as core::future::into_future::IntoFuture>::into_future"),
            "core"
        );
        assert_eq!(
            crate_of("<&mut I as core::iter::traits::iterator::Iterator>::next"),
            "core"
        );
        assert_eq!(crate_of("<str as my_app::Slug>::slug"), "my_app");
        assert_eq!(
            crate_of("<[T] as alloc::slice::hack::ConvertVec>::to_vec"),
            "alloc"
        );
        assert_eq!(
            crate_of("<(A, B) as sqlx_core::from_row::FromRow<R>>::from_row"),
            "sqlx_core"
        );
        assert_eq!(crate_of("<fn() -> u8 as my_app::Tr>::f"), "my_app");
        assert_eq!(crate_of("<*const T as core::fmt::Pointer>::fmt"), "core");
        // Neither side is a path: only the standard library defines these.
        assert_eq!(crate_of("<[T]>::sort_by"), "");
        assert_eq!(crate_of("<str>::len"), "");
        // Not a path at all.
        assert_eq!(crate_of("main"), "main");
    }

    #[test]
    fn strip_hash_only_strips_hashes() {
        assert_eq!(strip_hash("my_app::f::h1a2b3c4d5e6f7a8b"), "my_app::f");
        assert_eq!(strip_hash("my_app::f"), "my_app::f");
        assert_eq!(strip_hash("my_app::hello"), "my_app::hello");
        assert_eq!(
            strip_hash("my_app::h1a2b3c4d5e6f7a8g"),
            "my_app::h1a2b3c4d5e6f7a8g"
        );
    }

    #[test]
    fn application_frames_are_kept() {
        for symbol in [
            "my_app::posts::list_posts",
            "my_app::posts::list_posts::{{closure}}",
            "my_app::posts::list_posts::{closure#0}",
            "my_app::posts::list_posts::h1a2b3c4d5e6f7a8b",
            "my_app::posts::list_posts::{{closure}}::h1a2b3c4d5e6f7a8b",
            "<my_app::Post as sqlx_core::from_row::FromRow<sqlx_postgres::row::PgRow>>::from_row",
            "<my_app::Handler as tower_service::Service<R>>::call",
            "<my_app::LoadPosts as core::future::future::Future>::poll",
            "<alloc::vec::Vec<T> as my_app::Repo>::load",
            "<sea_orm::DatabaseConnection as my_app::Repo>::load",
            "<str as my_app::Slug>::slug",
            "<my_app::Foo>::bar",
            "<dyn my_app::Repo>::name",
            // Exact names: these are not `std`, `core` or `test`.
            "stdx::f",
            "core_domain::users::load",
            "tests::it_works",
            "sqlx_extras::f",
        ] {
            assert!(!skipped(symbol, None, &[]), "{symbol} should be kept");
        }
    }

    #[test]
    fn library_frames_are_skipped() {
        for symbol in [
            "core::ops::function::FnOnce::call_once",
            "core::ops::function::FnOnce::call_once{{vtable.shim}}",
            "<F as core::ops::function::FnOnce<A>>::call_once",
            "<alloc::boxed::Box<F,A> as core::ops::function::FnOnce<Args>>::call_once",
            "<core::pin::Pin<P> as core::future::future::Future>::poll",
            "<core::panic::unwind_safe::AssertUnwindSafe<F> as core::ops::function::FnOnce<()>>::call_once",
            "std::panicking::try::do_call",
            "std::sys::backtrace::__rust_begin_short_backtrace",
            "std::thread::Builder::spawn_unchecked_::{{closure}}::{{closure}}",
            "test::run_test_in_process",
            "<tracing::instrument::Instrumented<T> as core::future::future::Future>::poll",
            "tracing_core::dispatcher::Dispatch::event",
            "<tracing_subscriber::layer::layered::Layered<L,S> as tracing_core::subscriber::Subscriber>::event",
            "query_guard::callsite::capture",
            "query_guard::layer::<impl tracing_subscriber::layer::Layer<S> for query_guard::layer::QueryGuardLayer>::on_event",
            "<query_guard::layer::QueryGuardLayer as tracing_subscriber::layer::Layer<S>>::on_event",
            "backtrace::backtrace::libunwind::trace::trace_fn",
            "sqlx_core::logger::QueryLogger::finish",
            "<sqlx_core::logger::QueryLogger as core::ops::drop::Drop>::drop",
            "sqlx_core::query_as::QueryAs<DB,O,A>::fetch_all::{{closure}}",
            "<sqlx_core::pool::Pool<DB> as core::clone::Clone>::clone::h0123456789abcdef",
            "<(A, B) as sqlx_core::from_row::FromRow<R>>::from_row",
            "sqlx_postgres::connection::executor::<impl sqlx_postgres::connection::PgConnection>::run::{{closure}}",
            "tokio::runtime::scheduler::current_thread::CoreGuard::block_on::{{closure}}",
            "tokio::runtime::task::harness::Harness<T,S>::poll",
            "<futures_util::future::future::Map<Fut,F> as core::future::future::Future>::poll",
            "futures_util::stream::stream::StreamExt::poll_next_unpin",
            "sea_orm::executor::select::Selector<S>::all::{{closure}}",
            "diesel::query_dsl::RunQueryDsl::load",
            "<hyper::proto::h1::dispatch::Dispatcher<D,Bs,I,T> as core::future::future::Future>::poll",
            "<axum::routing::Router as tower_service::Service<R>>::call",
            "<[T]>::sort_by",
            "<str>::len",
            "<dyn core::any::Any>::is",
        ] {
            assert!(skipped(symbol, None, &[]), "{symbol} should be skipped");
        }
    }

    /// Bare names without a Rust source file are C, libc's and the unwinder's.
    #[test]
    fn foreign_frames_are_skipped() {
        for symbol in [
            "",
            "main",
            "_start",
            "__libc_start_main",
            "__libc_start_call_main",
            "start_thread",
            "clone",
            "clone3",
            "__clone",
            "thread_start",
            "_Unwind_Backtrace",
            "__rust_try",
            "rust_begin_unwind",
            "sqlite3_step",
        ] {
            assert_eq!(owner(symbol, None), Owner::Foreign, "{symbol:?}");
            assert!(skipped(symbol, None, &[]), "{symbol:?} should be skipped");
        }
        assert!(skipped(
            "start_thread",
            Some("./nptl/pthread_create.c"),
            &[]
        ));
        assert!(skipped("sqlite3VdbeExec", Some("sqlite3/sqlite3.c"), &[]));
    }

    /// Line-tables-only debug info names functions that had calls inlined into them by their
    /// bare name: their file tells whose they are.
    #[test]
    fn bare_names_are_judged_by_their_file() {
        let registry = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f";
        for (symbol, file) in [
            (
                "trace",
                format!("{registry}/backtrace-0.3.77/src/backtrace/libunwind.rs"),
            ),
            (
                "trace_unsynchronized<query_guard::callsite::walk::capture_inner::{closure_env#0}>",
                format!("{registry}/backtrace-0.3.77/src/backtrace/mod.rs"),
            ),
            (
                "finish",
                format!("{registry}/sqlx-core-0.9.0/src/logger.rs"),
            ),
            (
                "poll<F>",
                format!("{registry}/futures-util-0.3.31/src/future/future/map.rs"),
            ),
            (
                "{closure#0}",
                "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/std/src/thread/mod.rs"
                    .to_string(),
            ),
            (
                "on_event<S>",
                "/work/query-guard/query-guard/src/layer/mod.rs".to_string(),
            ),
            ("on_event<S>", "query-guard/src/layer/mod.rs".to_string()),
        ] {
            assert!(
                skipped(symbol, Some(&file), &[]),
                "{symbol} in {file} should be skipped"
            );
        }
        for (symbol, file) in [
            ("main", "src/main.rs"),
            (
                "list_posts<sqlx_postgres::database::Postgres>",
                "/home/me/my-app/src/posts.rs",
            ),
            ("{closure#0}", "crates/api/src/handlers.rs"),
            ("{async_fn#0}", "tests/posts.rs"),
        ] {
            assert!(
                !skipped(symbol, Some(file), &[]),
                "{symbol} in {file} should be kept"
            );
        }
        assert_eq!(owner("main", Some("src/main.rs")), Owner::Unknown);
        assert!(skipped(
            "list_posts",
            Some("/home/me/my-app/src/posts.rs"),
            &extra(&["my_app"])
        ));
        // Paths are judged by their name, whatever the file.
        assert!(skipped(
            "sqlx_core::logger::QueryLogger::finish",
            Some("src/main.rs"),
            &[]
        ));
    }

    #[test]
    fn crate_of_file_reads_cargo_and_rustup_layouts() {
        let registry = "/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f";
        for (file, krate) in [
            (
                format!("{registry}/sqlx-core-0.9.0/src/logger.rs"),
                Some("sqlx_core"),
            ),
            (
                format!("{registry}/tokio-1.47.1/src/runtime/task/harness.rs"),
                Some("tokio"),
            ),
            (format!("{registry}/sha-1-0.10.1/src/lib.rs"), Some("sha_1")),
            (
                format!("{registry}/foo-1.0.0-alpha.1/src/lib.rs"),
                Some("foo"),
            ),
            // trim-paths
            (
                "sqlx-core-0.9.0/src/logger.rs".to_string(),
                Some("sqlx_core"),
            ),
            (
                "/rustc/59807616e1fa2540724bfbac14d7976d7e4a3860/library/core/src/ops/function.rs"
                    .to_string(),
                Some("std"),
            ),
            (
                "/root/.cargo/git/checkouts/sqlx-1a2b3c4d5e6f7a8b/abc1234/sqlx-core/src/logger.rs"
                    .to_string(),
                Some("sqlx_core"),
            ),
            (
                "/root/.cargo/git/checkouts/tokio-1a2b3c4d5e6f7a8b/abc1234/src/lib.rs".to_string(),
                Some("tokio"),
            ),
            (
                "/home/me/src/my-app/src/main.rs".to_string(),
                Some("my_app"),
            ),
            (
                "query-guard/src/layer/mod.rs".to_string(),
                Some("query_guard"),
            ),
            (
                r"C:\Users\me\my-app\src\main.rs".to_string(),
                Some("my_app"),
            ),
            ("src/main.rs".to_string(), None),
            ("tests/posts.rs".to_string(), None),
            ("/home/me/my-app/tests/posts.rs".to_string(), None),
        ] {
            assert_eq!(crate_of_file(&file).as_deref(), krate, "{file}");
        }
    }

    #[test]
    fn display_names() {
        assert_eq!(display_name("my_app::f::h1a2b3c4d5e6f7a8b"), "my_app::f");
        assert_eq!(
            display_name("my_app::Repo<T>::load"),
            "my_app::Repo<T>::load"
        );
        assert_eq!(
            display_name("<my_app::A as core::fmt::Debug>::fmt"),
            "<my_app::A as core::fmt::Debug>::fmt"
        );
        assert_eq!(
            display_name("list_posts<sqlx_postgres::database::Postgres>"),
            "list_posts"
        );
        assert_eq!(display_name("{closure#0}<my_app::X>"), "{closure#0}");
        assert_eq!(display_name("main"), "main");
    }

    #[test]
    fn extra_skips_match_crate_prefixes() {
        let my_db = extra(&["my_db"]);
        assert!(skipped("my_db::repo::load", None, &my_db));
        assert!(skipped("my_db_macros::f", None, &my_db));
        assert!(skipped(
            "<my_db::Repo as core::clone::Clone>::clone",
            None,
            &my_db
        ));
        assert!(!skipped("my_app::handler", None, &my_db));
        // A user impl of a skipped crate's trait for a user type stays kept...
        assert!(!skipped(
            "<my_app::Post as my_db::Load>::load",
            None,
            &my_db
        ));
        // ...unless both crates are skipped.
        assert!(skipped(
            "<my_db::Post as sqlx_core::FromRow<R>>::from_row",
            None,
            &my_db
        ));
        // An empty entry skips nothing.
        assert!(!skipped("my_app::handler", None, &extra(&[""])));
    }

    #[test]
    fn the_docs_list_every_skipped_crate() {
        let docs: String = include_str!("mod.rs")
            .lines()
            .take_while(|l| l.starts_with("//!"))
            .collect();
        for krate in SKIPPED_CRATES {
            assert!(
                docs.contains(&format!("`{krate}`")),
                "module docs do not list `{krate}`"
            );
        }
    }
}
