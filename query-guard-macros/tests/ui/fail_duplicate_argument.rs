use query_guard::query_budget;

#[query_budget(max = 1, max = 2)]
fn twice_max() {}

#[query_budget(list, mode = "warn", mode = "off")]
fn twice_mode() {}

#[query_budget(detail, deny_n_plus_one, deny_n_plus_one = true)]
fn twice_flag() {}

fn main() {
    twice_max();
    twice_mode();
    twice_flag();
}
