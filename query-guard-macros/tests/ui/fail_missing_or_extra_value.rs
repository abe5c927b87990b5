use query_guard::query_budget;

#[query_budget(max)]
fn max_without_value() {}

#[query_budget(list = 20)]
fn preset_with_value() {}

#[query_budget(max = 3, include_transactions)]
fn bool_without_value() {}

#[query_budget(max = 3, mode)]
fn mode_without_value() {}

#[query_budget(max = 3, name = "")]
fn empty_name() {}

fn main() {
    max_without_value();
    preset_with_value();
    bool_without_value();
    mode_without_value();
    empty_name();
}
