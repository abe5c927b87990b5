use query_guard::query_budget;

#[query_budget(max: 3)]
fn colon() {}

#[query_budget(10)]
fn bare_literal() {}

#[query_budget(max(3))]
fn call() {}

fn main() {
    colon();
    bare_literal();
    call();
}
