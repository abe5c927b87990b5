use query_guard::query_budget;

#[query_budget(deny_n_plus_one, n_plus_one_threshold = 1)]
fn one() {}

#[query_budget(max = 3, n_plus_one_threshold = 0)]
fn zero() {}

fn main() {
    one();
    zero();
}
