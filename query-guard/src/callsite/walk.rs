//! The stack walk and the per-address cache.

use std::collections::HashMap;
use std::ffi::c_void;
use std::hash::{BuildHasherDefault, Hasher};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, OnceLock};

use parking_lot::RwLock;

use super::site::CallSite;
use super::symbols::{Owner, owner};
use crate::fingerprint::Dialect;

/// The first driver among an address's symbols.
fn driver_of(symbols: &[Symbol]) -> Option<Dialect> {
    symbols.iter().find_map(|s| s.driver)
}

/// Frames walked at most: past that, no call site.
pub(super) const MAX_FRAMES: usize = 96;

/// Addresses cached at most: past that, new addresses are resolved on every capture.
pub(super) const MAX_CACHED: usize = 65_536;

/// One symbol of an address (an address has several when calls were inlined into it),
/// classified once.
#[derive(Debug)]
pub(super) struct Symbol {
    pub(super) site: Arc<CallSite>,
    owner: Owner,
    /// The database, when this is a sqlx driver's code.
    driver: Option<Dialect>,
}

impl Symbol {
    /// `function` as demangled, `file` as recorded (the site shows it relative).
    pub(super) fn new(function: &str, file: Option<&str>, line: Option<u32>) -> Symbol {
        let owner = owner(function, file);
        let file = file.map(|f| display_path(Path::new(f)));
        Symbol {
            site: Arc::new(CallSite::new(function, file.as_deref(), line)),
            driver: owner.driver(),
            owner,
        }
    }

    /// Whether this frame is skipped: [`Owner::skipped`] of the owner classified once.
    pub(super) fn skipped(&self, extra: &[String]) -> bool {
        self.owner.skipped(extra)
    }
}

/// The symbols of one address, innermost (inlined) first.
pub(super) type Symbols = Arc<[Symbol]>;

/// The first symbol of an address that is not skipped.
pub(super) fn first_kept(symbols: &[Symbol], extra: &[String]) -> Option<Arc<CallSite>> {
    symbols
        .iter()
        .find(|s| !s.skipped(extra))
        .map(|s| s.site.clone())
}

/// Instruction pointers are not attacker-controlled: a multiplicative hash (as rustc's
/// `FxHasher`) is enough, and far cheaper than SipHash on the hot path.
#[derive(Default)]
struct IpHasher(u64);

impl Hasher for IpHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(0xf135_7aea_2e62_a9c5);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }
}

type Cache = HashMap<usize, Symbols, BuildHasherDefault<IpHasher>>;

static CACHE: LazyLock<RwLock<Cache>> = LazyLock::new(RwLock::default);

/// Set when walking or resolving panicked: call sites are then off for the process, rather
/// than risk it again on every statement.
static BROKEN: AtomicBool = AtomicBool::new(false);

pub(super) fn capture(extra: &[String]) -> (Option<Arc<CallSite>>, Option<Dialect>) {
    if BROKEN.load(Ordering::Relaxed) {
        return (None, None);
    }
    match catch_unwind(AssertUnwindSafe(|| capture_inner(extra))) {
        Ok(found) => found,
        Err(_) => {
            BROKEN.store(true, Ordering::Relaxed);
            (None, None)
        }
    }
}

fn capture_inner(extra: &[String]) -> (Option<Arc<CallSite>>, Option<Dialect>) {
    // Phase 1: walk the stack, answering from the cache where it can. Stop at the first
    // cached frame that is kept: the answer is that frame or an uncached one above it.
    let mut ips = [0_usize; MAX_FRAMES];
    let mut cached = [false; MAX_FRAMES];
    let mut walked = 0;
    let mut hit = None;
    let mut driver = None;
    {
        let cache = CACHE.read();
        backtrace::trace(|frame| {
            let ip = frame.ip() as usize;
            let (Some(slot), Some(known)) = (ips.get_mut(walked), cached.get_mut(walked)) else {
                return false;
            };
            *slot = ip;
            walked += 1;
            if let Some(symbols) = cache.get(&ip) {
                *known = true;
                driver = driver.or_else(|| driver_of(symbols));
                hit = first_kept(symbols, extra);
                return hit.is_none();
            }
            true
        });
    }
    // Phase 2: resolve the uncached frames, in order, until one is kept. The cached ones
    // were judged in phase 1: skipped, except the last when it is the hit.
    for (&ip, &known) in ips[..walked].iter().zip(&cached) {
        if known {
            continue;
        }
        let symbols = resolve_and_cache(ip);
        driver = driver.or_else(|| driver_of(&symbols));
        if let Some(site) = first_kept(&symbols, extra) {
            return (Some(site), driver);
        }
    }
    (hit, driver)
}

/// Resolves an address (outside any lock of ours) and caches it while the cache has room.
fn resolve_and_cache(ip: usize) -> Symbols {
    let symbols = resolve(ip);
    let mut cache = CACHE.write();
    if let Some(existing) = cache.get(&ip) {
        return existing.clone();
    }
    if cache.len() < MAX_CACHED {
        cache.insert(ip, symbols.clone());
    }
    symbols
}

/// Every named symbol of an address, innermost first.
pub(super) fn resolve(ip: usize) -> Symbols {
    let mut symbols = Vec::new();
    backtrace::resolve(ip as *mut c_void, |symbol| {
        let Some(name) = symbol.name() else {
            return;
        };
        // `{:#}`: demangled without the hash.
        let function = format!("{name:#}");
        if function.is_empty() {
            return;
        }
        let file = symbol.filename().map(|f| f.to_string_lossy());
        let line = file.as_ref().and(symbol.lineno());
        symbols.push(Symbol::new(&function, file.as_deref(), line));
    });
    symbols.into()
}

/// The current directory at the first resolution.
fn current_dir() -> Option<&'static Path> {
    static CWD: OnceLock<Option<PathBuf>> = OnceLock::new();
    CWD.get_or_init(|| std::env::current_dir().ok()).as_deref()
}

fn display_path(path: &Path) -> String {
    relative_to(path, current_dir())
}

/// `path` relative to `base` when it is absolute and under it, else as it is.
pub(super) fn relative_to(path: &Path, base: Option<&Path>) -> String {
    if path.is_absolute()
        && let Some(rel) = base.and_then(|base| path.strip_prefix(base).ok())
        && !rel.as_os_str().is_empty()
    {
        return rel.to_string_lossy().into_owned();
    }
    path.to_string_lossy().into_owned()
}

/// Addresses cached now (for tests).
#[cfg(test)]
pub(super) fn cached_len() -> usize {
    CACHE.read().len()
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::sync::Arc;

    use super::{Symbol, first_kept, relative_to, resolve};
    use crate::callsite::symbols::{extra, skipped};

    fn symbol(function: &str) -> Symbol {
        Symbol::new(function, Some("/home/me/my-app/src/lib.rs"), Some(1))
    }

    #[test]
    fn cached_classification_agrees_with_skipped() {
        let extras = [extra(&[]), extra(&["my_db"]), extra(&["my_app", "my_db"])];
        for name in [
            "my_app::f",
            "my_db::f",
            "<my_app::Post as my_db::Load>::load",
            "<my_db::Post as sqlx_core::FromRow<R>>::from_row",
            "<F as core::ops::function::FnOnce<A>>::call_once",
            "<[T]>::sort_by",
            "main",
            "__rust_try",
            "{closure#0}",
        ] {
            for file in [
                None,
                Some("/home/me/my-app/src/lib.rs"),
                Some("src/main.rs"),
                Some("/root/.cargo/registry/src/x/sqlx-core-0.9.0/src/logger.rs"),
                Some("sqlite3/sqlite3.c"),
            ] {
                let s = Symbol::new(name, file, Some(1));
                for e in &extras {
                    assert_eq!(
                        s.skipped(e),
                        skipped(name, file, e),
                        "{name} in {file:?} with {e:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn first_kept_takes_the_innermost_kept_symbol() {
        let inlined = [
            symbol("core::ops::function::FnOnce::call_once"),
            symbol("my_db::repo::load"),
            symbol("my_app::posts::list_posts"),
        ];
        let kept = first_kept(&inlined, &[]).unwrap();
        assert_eq!(kept.function(), "my_db::repo::load");
        let kept = first_kept(&inlined, &extra(&["my_db"])).unwrap();
        assert_eq!(kept.function(), "my_app::posts::list_posts");
        assert!(first_kept(&inlined, &extra(&["my_db", "my_app"])).is_none());
        assert!(first_kept(&[], &[]).is_none());
        // The cached site is shared, not copied.
        let again = first_kept(&inlined, &[]).unwrap();
        assert!(Arc::ptr_eq(&again, &first_kept(&inlined, &[]).unwrap()));
    }

    #[test]
    fn paths_are_made_relative_to_the_base_when_under_it() {
        let base = Some(Path::new("/work/app"));
        assert_eq!(
            relative_to(Path::new("/work/app/src/posts.rs"), base),
            "src/posts.rs"
        );
        assert_eq!(relative_to(Path::new("src/posts.rs"), base), "src/posts.rs");
        assert_eq!(
            relative_to(Path::new("/root/.cargo/registry/src/x/lib.rs"), base),
            "/root/.cargo/registry/src/x/lib.rs"
        );
        assert_eq!(
            relative_to(Path::new("/work/application/x.rs"), base),
            "/work/application/x.rs"
        );
        assert_eq!(relative_to(Path::new("/work/app"), base), "/work/app");
        assert_eq!(
            relative_to(Path::new("/work/app/x.rs"), None),
            "/work/app/x.rs"
        );
    }

    /// Resolving a real address: the first frame of a walk is backtrace's own, named, and
    /// skipped.
    #[test]
    fn resolves_a_real_frame() {
        let mut ip = 0;
        backtrace::trace(|frame| {
            ip = frame.ip() as usize;
            false
        });
        let ours = resolve(ip);
        assert!(!ours.is_empty());
        assert!(ours.iter().all(|s| s.skipped(&[])), "{ours:?}");
    }
}
