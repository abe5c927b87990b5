use query_guard::query_budget;

#[query_budget(max = 3)]
struct Handler {
    id: u32,
}

#[query_budget(list)]
enum Kind {
    A,
}

#[query_budget(detail)]
impl Handler {
    fn id(&self) -> u32 {
        self.id
    }
}

#[query_budget(max = 1)]
const LIMIT: usize = 3;

#[query_budget(max = 1)]
mod handlers {}

trait Load {
    #[query_budget(max = 1)]
    fn load(&self) -> u32;
}

fn main() {
    // The items are still there despite the errors.
    let h = Handler { id: 1 };
    let _ = (h.id(), Kind::A, LIMIT);
}
