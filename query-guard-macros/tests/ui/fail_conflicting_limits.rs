use query_guard::query_budget;

#[query_budget(list, max = 3)]
fn list_and_max() {}

#[query_budget(max = 3, detail)]
fn max_and_detail() {}

#[query_budget(detail, max_reads = 2, list)]
fn detail_and_list() {}

fn main() {
    list_and_max();
    max_and_detail();
    detail_and_list();
}
