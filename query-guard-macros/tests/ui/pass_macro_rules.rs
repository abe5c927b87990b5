use query_guard::query_budget;

// Arguments passed through `macro_rules!` fragments (wrapped in invisible groups).
macro_rules! budgeted {
    ($name:ident, $max:expr, $mode:expr, $flag:expr) => {
        #[query_budget(max = $max, mode = $mode, include_transactions = $flag)]
        fn $name() -> u32 {
            $max
        }
    };
}

budgeted!(four, 4, "warn", true);

macro_rules! budgeted_literal {
    ($name:ident, $max:literal) => {
        #[query_budget(max = $max)]
        async fn $name() -> usize {
            $max
        }
    };
}

budgeted_literal!(five, 5);

#[tokio::main(flavor = "current_thread")]
async fn main() {
    assert_eq!(four(), 4);
    assert_eq!(five().await, 5);
}
