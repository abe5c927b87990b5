use query_guard::{StatementRecord, query_budget, record};

struct Repo {
    calls: u32,
}

impl Repo {
    #[query_budget(max = 1)]
    fn new() -> Self {
        Repo { calls: 0 }
    }

    #[query_budget(max = 1)]
    fn by_ref(&self) -> u32 {
        record(StatementRecord::new("SELECT 1"));
        self.calls
    }

    #[query_budget(max = 1)]
    fn by_mut(&mut self) -> &mut Self {
        self.calls += 1;
        self
    }

    #[query_budget(max = 1)]
    fn by_value(self) -> u32 {
        self.calls
    }

    #[query_budget(max = 1)]
    fn by_mut_value(mut self: Box<Self>) -> u32 {
        self.calls += 1;
        self.calls
    }

    #[query_budget(list)]
    async fn by_ref_async(&self) -> u32 {
        self.calls
    }

    #[query_budget(list)]
    async fn by_mut_async(&mut self) -> &mut u32 {
        self.calls += 1;
        &mut self.calls
    }

    #[query_budget(list)]
    async fn by_value_async(self) -> Self {
        self
    }

    #[query_budget(detail)]
    async fn associated_async(calls: u32) -> Self {
        Self { calls }
    }
}

trait Load {
    #[query_budget(max = 1)]
    fn load(&self) -> u32 {
        1
    }

    fn other(&self) -> u32;

    #[query_budget(max = 1)]
    async fn load_async(&self) -> u32 {
        2
    }

    async fn other_async(&self) -> u32;
}

impl Load for Repo {
    #[query_budget(max = 2)]
    fn other(&self) -> u32 {
        self.calls
    }

    #[query_budget(max = 2)]
    async fn other_async(&self) -> u32 {
        self.calls
    }
}

struct Wrapper<T>(T);

impl<T: Clone + Send> Wrapper<T> {
    #[query_budget(max = 1)]
    fn get(&self) -> T {
        self.0.clone()
    }

    #[query_budget(max = 1)]
    async fn get_async(&self) -> T {
        self.0.clone()
    }
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut repo = Repo::new();
    repo.by_mut().by_mut();
    assert_eq!(repo.by_ref(), 2);
    assert_eq!(repo.load() + repo.other(), 3);
    assert_eq!(repo.load_async().await + repo.other_async().await, 4);
    *repo.by_mut_async().await += 1;
    assert_eq!(repo.by_ref_async().await, 4);
    let repo = repo.by_value_async().await;
    assert_eq!(repo.by_value(), 4);
    assert_eq!(Box::new(Repo::associated_async(5).await).by_mut_value(), 6);
    let w = Wrapper("x".to_owned());
    assert_eq!(w.get(), w.get_async().await);
}
