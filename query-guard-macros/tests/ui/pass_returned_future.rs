//! Synchronous functions whose body is the future they return: what `#[async_trait]` generates
//! (`Box::pin(async move { … })`) and hand-written `async move` blocks. `?` must still infer.

use std::future::Future;
use std::pin::Pin;

use query_guard::query_budget;

type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

struct Repo(u32);

trait Load {
    fn load<'life0, 'async_trait>(
        &'life0 self,
        s: &'async_trait str,
    ) -> BoxFuture<'async_trait, Result<u32, std::num::ParseIntError>>
    where
        'life0: 'async_trait,
        Self: 'async_trait;
}

impl Load for Repo {
    // The shape `#[async_trait]` 0.1.44+ gives an `async fn` in a trait impl.
    #[query_budget(max = 1)]
    fn load<'life0, 'async_trait>(
        &'life0 self,
        s: &'async_trait str,
    ) -> BoxFuture<'async_trait, Result<u32, std::num::ParseIntError>>
    where
        'life0: 'async_trait,
        Self: 'async_trait,
    {
        Box::pin(async move {
            let __self = self;
            let __ret: Result<u32, std::num::ParseIntError> = { Ok(s.parse::<u32>()? + __self.0) };
            #[allow(unreachable_code)]
            __ret
        })
    }
}

#[query_budget(max = 1)]
fn hand_written(s: &str) -> impl Future<Output = Result<u32, std::num::ParseIntError>> + '_ {
    async move {
        let n: u32 = s.parse()?;
        Ok(n)
    }
}

#[query_budget(max = 1)]
fn boxed_std_path(s: String) -> Pin<Box<dyn Future<Output = Option<usize>>>> {
    ::std::boxed::Box::pin(async move {
        let first = s.chars().next()?;
        Some(first.len_utf8())
    })
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(Repo(1).load("2").await, Ok(3));
    assert!(hand_written("x").await.is_err());
    assert_eq!(boxed_std_path("é".to_owned()).await, Some(2));
}
