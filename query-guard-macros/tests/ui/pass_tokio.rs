use query_guard::{StatementRecord, query_budget, record};

// Above `#[tokio::test]`: it wraps the test's own async body. (Test functions are compiled out of
// this binary; `tests/runtime.rs` runs them.)
#[query_budget(max = 2)]
#[tokio::test]
async fn above_tokio_test() {
    record(StatementRecord::new("SELECT 1"));
}

#[query_budget(max = 2)]
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn above_multi_thread_tokio_test() -> Result<(), std::num::ParseIntError> {
    let _n: u32 = "1".parse()?;
    Ok(())
}

#[tokio::test]
#[query_budget(max = 2)]
async fn below_tokio_test() {}

struct Service;

impl Service {
    #[query_budget(detail)]
    async fn handle(&self, id: u32) -> Result<u32, String> {
        tokio::task::yield_now().await;
        if id == 0 {
            return Err("no id".to_owned());
        }
        Ok(id)
    }
}

// Above `#[tokio::main]`: the budget wraps `main`'s body.
#[query_budget(max = 3)]
#[tokio::main]
async fn main() {
    let service = std::sync::Arc::new(Service);
    let s = service.clone();
    assert_eq!(tokio::spawn(async move { s.handle(1).await }).await.unwrap(), Ok(1));
    assert!(service.handle(0).await.is_err());
    record(StatementRecord::new("SELECT 1"));
}
