use query_guard::query_budget;

#[query_budget(max = 1)]
const fn answer() -> u32 {
    42
}

#[query_budget(max = 1)]
pub const unsafe fn unsafe_answer() -> u32 {
    42
}

fn main() {
    let _ = answer();
    let _ = unsafe { unsafe_answer() };
}
