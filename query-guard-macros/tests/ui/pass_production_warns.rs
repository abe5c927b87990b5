//! Outside `cfg(test)` a broken budget warns instead of panicking.

use query_guard::{StatementRecord, query_budget, record};

#[query_budget(max = 1)]
fn over_budget() -> u32 {
    for id in 0..3 {
        assert!(record(StatementRecord::new(format!("SELECT * FROM posts WHERE id = {id}"))));
    }
    3
}

#[query_budget(max = 1)]
async fn over_budget_async() -> u32 {
    over_budget()
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    query_guard::install().unwrap();
    assert_eq!(over_budget(), 3);
    assert_eq!(over_budget_async().await, 3);
}
