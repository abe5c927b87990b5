use std::fmt::Display;

use query_guard::query_budget;

#[query_budget(max = 1)]
fn show_all<T, I>(items: I) -> Vec<String>
where
    I: IntoIterator<Item = T>,
    T: Display,
{
    items.into_iter().map(|t| t.to_string()).collect()
}

#[query_budget(max = 1)]
fn longest<'a, 'b: 'a>(a: &'a str, b: &'b str) -> &'a str {
    if a.len() >= b.len() { a } else { b }
}

#[query_budget(max = 1)]
fn sum<const N: usize>(values: [u32; N]) -> u32 {
    values.iter().sum()
}

#[query_budget(max = 1)]
fn impl_arg(value: impl Display + Send) -> String {
    value.to_string()
}

#[query_budget(max = 1)]
async fn generic_async<T>(value: T) -> Vec<T>
where
    T: Clone + Send + 'static,
{
    vec![value.clone(), value]
}

#[query_budget(max = 1)]
async fn generic_async_ref<'a, T: ?Sized + Display + Sync>(value: &'a T) -> &'a T {
    value
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(show_all([1, 2]), ["1", "2"]);
    assert_eq!(longest("ab", "c"), "ab");
    assert_eq!(sum([1, 2, 3]), 6);
    assert_eq!(impl_arg(5), "5");
    assert_eq!(generic_async(1u8).await, [1, 1]);
    assert_eq!(generic_async_ref("s").await, "s");
}
