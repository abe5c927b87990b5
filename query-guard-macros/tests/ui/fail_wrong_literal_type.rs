use query_guard::query_budget;

const LIMIT: usize = 3;

#[query_budget(max = "3")]
fn string_for_int() {}

#[query_budget(max_writes = 2.5)]
fn float_for_int() {}

#[query_budget(max = LIMIT)]
fn const_for_int() {}

#[query_budget(max = 3, include_transactions = 1)]
fn int_for_bool() {}

#[query_budget(deny_n_plus_one = "yes")]
fn string_for_bool() {}

#[query_budget(max = 3, mode = warn)]
fn path_for_string() {}

#[query_budget(max = 3, name = 7)]
fn int_for_string() {}

fn main() {
    string_for_int();
    float_for_int();
    const_for_int();
    int_for_bool();
    string_for_bool();
    path_for_string();
    int_for_string();
}
