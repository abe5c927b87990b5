use std::fmt::Display;

use query_guard::query_budget;

#[query_budget(max = 1)]
fn evens(limit: u32) -> impl Iterator<Item = u32> {
    (0..limit).filter(|n| n % 2 == 0)
}

#[query_budget(max = 1)]
fn boxed_closure() -> Box<dyn Fn(u32) -> u32> {
    Box::new(|x| x + 1)
}

#[query_budget(max = 1)]
async fn display(n: u32) -> impl Display {
    n
}

#[query_budget(max = 1)]
async fn fallible_display(n: &str) -> Result<impl Display, std::num::ParseIntError> {
    let n: u32 = n.parse()?;
    Ok(n)
}

#[query_budget(max = 1)]
async fn iterator(limit: u32) -> Option<impl Iterator<Item = u32> + Send> {
    if limit == 0 {
        return None;
    }
    Some(0..limit)
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(evens(5).collect::<Vec<_>>(), [0, 2, 4]);
    assert_eq!(boxed_closure()(1), 2);
    assert_eq!(display(3).await.to_string(), "3");
    assert_eq!(fallible_display("4").await.unwrap().to_string(), "4");
    assert_eq!(iterator(2).await.unwrap().count(), 2);
    assert!(iterator(0).await.is_none());
}
