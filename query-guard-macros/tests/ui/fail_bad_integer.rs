use query_guard::query_budget;

#[query_budget(max = -1)]
fn negative() {}

#[query_budget(max_reads = 3u8)]
fn suffixed() {}

#[query_budget(max = 100000000000000000000000000)]
fn too_large() {}

fn main() {
    negative();
    suffixed();
    too_large();
}
