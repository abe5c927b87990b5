use query_guard::{StatementRecord, query_budget, record};

#[query_budget(max = 2)]
async fn unit() {
    record(StatementRecord::new("SELECT 1"));
}

#[query_budget(list)]
async fn with_value(id: u32) -> u32 {
    unit().await;
    id + 1
}

#[query_budget(detail)]
async fn with_reference<'a>(items: &'a [u32], _other: &str) -> &'a u32 {
    &items[0]
}

#[query_budget(max = 1)]
async fn early_return(flag: bool) -> Option<u32> {
    if flag {
        return None;
    }
    Some(1)
}

#[query_budget(max = 1)]
async fn ignored_pattern(_: u32, mut count: u32) -> u32 {
    count += 1;
    count
}

struct State<T>(T);

#[query_budget(max = 1)]
async fn destructured(State(db): State<String>, (a, b): (u32, u32)) -> String {
    format!("{db}{}", a + b)
}

fn assert_send<T: Send>(t: T) -> T {
    t
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_send(unit()).await;
    assert_eq!(assert_send(with_value(1)).await, 2);
    assert_eq!(*with_reference(&[7], "x").await, 7);
    assert_eq!(early_return(true).await, None);
    assert_eq!(ignored_pattern(0, 1).await, 2);
    assert_eq!(destructured(State("db".to_owned()), (1, 2)).await, "db3");
    // The future is `Send`, so it can be spawned on a multi-threaded runtime.
    assert_eq!(tokio::spawn(with_value(2)).await.unwrap(), 3);
}
