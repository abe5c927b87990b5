use query_guard::query_budget;

#[query_budget(max = 1)]
extern "C" fn callback(x: u32) -> u32 {
    x
}

#[query_budget(max = 1)]
pub unsafe extern "system" fn system_callback() {}

fn main() {
    let _ = callback(1);
    unsafe { system_callback() };
}
