use std::error::Error;
use std::num::ParseIntError;

use query_guard::query_budget;

#[derive(Debug)]
struct AppError;

impl From<ParseIntError> for AppError {
    fn from(_: ParseIntError) -> Self {
        AppError
    }
}

#[query_budget(max = 1)]
fn parse(s: &str) -> Result<u32, ParseIntError> {
    let n = s.parse::<u32>()?;
    Ok(n + 1)
}

#[query_budget(max = 1)]
fn converted(s: &str) -> Result<u32, AppError> {
    // `?` converts through `From` into the declared error type.
    Ok(s.parse::<u32>()?)
}

#[query_budget(max = 1)]
fn boxed(s: &str) -> Result<u32, Box<dyn Error + Send + Sync>> {
    if s.is_empty() {
        return Err("empty".into());
    }
    Ok(s.parse::<u32>()?)
}

#[query_budget(max = 1)]
fn optional(v: Option<u32>) -> Option<u32> {
    Some(v? * 2)
}

#[query_budget(max = 1)]
async fn parse_async(s: &str) -> Result<u32, AppError> {
    let n = s.parse::<u32>()?;
    Ok(n)
}

#[query_budget(max = 1)]
async fn boxed_async(s: &str) -> Result<u32, Box<dyn Error + Send + Sync>> {
    let n = parse_async(s).await.map_err(|_| "bad")?;
    Ok(n)
}

type AliasResult<T> = Result<T, AppError>;

#[query_budget(max = 1)]
async fn aliased(s: &str) -> AliasResult<u32> {
    Ok(s.parse::<u32>()?)
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error + Send + Sync>> {
    assert_eq!(parse("1")?, 2);
    assert!(parse("x").is_err());
    assert!(converted("x").is_err());
    assert!(boxed("").is_err());
    assert_eq!(optional(Some(2)), Some(4));
    assert_eq!(optional(None), None);
    assert!(parse_async("x").await.is_err());
    assert_eq!(boxed_async("3").await?, 3);
    assert!(aliased("x").await.is_err());
    Ok(())
}
