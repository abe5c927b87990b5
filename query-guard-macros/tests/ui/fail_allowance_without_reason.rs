use query_guard::query_budget;

#[query_budget(max = 3, allow_n_plus_one = "FROM tags")]
fn no_reason() {}

#[query_budget(max = 3, reason = "nothing to explain")]
fn reason_alone() {}

#[query_budget(slow_ms = -5)]
fn negative_slow() {}

fn main() {
    no_reason();
    reason_alone();
    negative_slow();
}
