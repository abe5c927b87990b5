use query_guard::{StatementRecord, query_budget, record};

#[query_budget(max = 2)]
fn unit() {
    record(StatementRecord::new("SELECT 1"));
}

#[query_budget(list, max_writes = 0, include_transactions = false, include_internal = false)]
fn with_value(id: u32) -> u32 {
    record(StatementRecord::new("SELECT * FROM users WHERE id = $1"));
    id + 1
}

#[query_budget(deny_n_plus_one, n_plus_one_threshold = 2, mode = "off", name = "patterns")]
fn with_patterns(mut ids: Vec<u32>, (a, b): (u32, u32)) -> Vec<u32> {
    ids.push(a + b);
    ids
}

#[query_budget(max_reads = 3, max_writes = 1)]
fn returns_a_reference(items: &[u32]) -> &u32 {
    &items[0]
}

#[query_budget(detail)]
fn diverges() -> ! {
    std::process::exit(0)
}

fn main() {
    unit();
    assert_eq!(with_value(1), 2);
    assert_eq!(with_patterns(vec![1], (2, 3)), [1, 5]);
    assert_eq!(*returns_a_reference(&[4]), 4);
    diverges();
}
