use query_guard::query_budget;

#[query_budget(max = 3, mode = "loud")]
fn loud() {}

#[query_budget(max = 3, mode = "Warn")]
fn capitalised() {}

fn main() {
    loud();
    capitalised();
}
