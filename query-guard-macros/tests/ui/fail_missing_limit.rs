use query_guard::query_budget;

#[query_budget]
fn bare() {}

#[query_budget()]
fn empty() {}

#[query_budget(mode = "warn", name = "handler")]
fn no_limit() {}

#[query_budget(deny_n_plus_one = false, n_plus_one_threshold = 4)]
fn n_plus_one_allowed() {}

fn main() {
    bare();
    empty();
    no_limit();
    n_plus_one_allowed();
}
