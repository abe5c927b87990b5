use query_guard::query_budget;

#[query_budget(max = 3, dialect = "oracle")]
fn oracle() {}

#[query_budget(max = 3, dialect)]
fn missing() {}

fn main() {
    oracle();
    missing();
}
