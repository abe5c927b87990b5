#![deny(warnings)]

use query_guard::query_budget;

mod handlers {
    use query_guard::query_budget;

    /// Lists the posts.
    ///
    /// With doc comments, other attributes and a restricted visibility.
    #[query_budget(list)]
    #[inline]
    #[must_use]
    #[allow(clippy::needless_pass_by_value)]
    #[cfg_attr(test, allow(dead_code))]
    pub(crate) fn list_posts(page: String) -> usize {
        #![allow(unused_variables)]
        let unused = 1;
        page.len()
    }

    /// Documented async fn with a restricted visibility.
    #[doc(alias = "show")]
    #[query_budget(detail)]
    #[must_use = "the post is the point"]
    pub(super) async fn show_post(id: u32) -> u32 {
        id
    }

    #[query_budget(max = 1)]
    #[deprecated = "use list_posts"]
    pub fn old_list() {}
}

/// Raw identifiers, `unsafe fn`, explicit `extern "Rust"` and items inside the body.
#[query_budget(max = 1)]
fn r#match() -> u8 {
    fn helper() -> u8 {
        1
    }
    const TWO: u8 = 2;
    helper() + TWO
}

#[query_budget(max = 1)]
unsafe fn raw_read(p: *const u32) -> u32 {
    unsafe { *p }
}

#[query_budget(max = 1)]
extern "Rust" fn rust_abi() -> u8 {
    3
}

#[query_budget(max = 1)]
async unsafe fn async_unsafe(p: *const u32) -> u32 {
    unsafe { *p }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(handlers::list_posts("abc".to_owned()), 3);
    assert_eq!(handlers::show_post(4).await, 4);
    #[allow(deprecated)]
    handlers::old_list();
    assert_eq!(r#match(), 3);
    let x = 5;
    assert_eq!(unsafe { raw_read(&x) }, 5);
    assert_eq!(rust_abi(), 3);
    assert_eq!(unsafe { async_unsafe(&x).await }, 5);
}
