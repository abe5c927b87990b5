use query_guard::query_budget;

#[query_budget(max = 3, max_read = 1)]
fn typo() {}

#[query_budget(budget = 3)]
fn unknown() {}

#[query_budget(r#type = 3)]
fn keyword() {}

fn main() {
    // The functions are still there despite the errors.
    typo();
    unknown();
    keyword();
}
