use query_guard::query_budget;

#[query_budget(max = 1)]
fn sync_wrong_type() -> u32 {
    "not a number"
}

#[query_budget(max = 1)]
async fn async_wrong_type() -> u32 {
    "not a number"
}

#[query_budget(max = 1)]
async fn async_question_mark_in_unit_fn() {
    let _n: u32 = "1".parse()?;
}

fn main() {
    let _ = sync_wrong_type();
    let _ = async_wrong_type();
    let _ = async_question_mark_in_unit_fn();
}
