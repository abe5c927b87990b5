//! The accuracy suite's scenarios that must not flag an N+1 (some report a duplicate or an
//! accepted N+1): the code of each, expanded by [`crate::accuracy_suite!`] inside its `app`
//! module, after the application.

/// The scenarios that must not flag: each one's code and the function that runs it in its scopes.
#[doc(hidden)]
#[macro_export]
#[rustfmt::skip]
macro_rules! accuracy_must_not_flag {
    () => {
        #[tracing::instrument(skip_all)]
        async fn add_items(cx: &Cx) {
            let rows = [(11_i64, 6_i64, 1_i64, 2_i64), (12, 6, 2, 1), (13, 6, 3, 1), (14, 6, 4, 1), (15, 6, 5, 3)];
            let mut q = sqlx::QueryBuilder::new(format!("INSERT INTO {} (id, order_id, product_id, qty) ", cx.t.order_items));
            q.push_values(rows, |mut b, (id, order, product, qty)| {
                b.push_bind(id).push_bind(order).push_bind(product).push_bind(qty);
            });
            q.build().execute(&cx.pool).await.unwrap();
        }

        fn multi_row_insert(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("add items", add_items(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn order_header(cx: &Cx, customers: [i64; 2]) -> String {
            let mut names = Vec::new();
            for id in customers {
                names.push(find_customer(cx, id).await);
                tokio::task::yield_now().await;
            }
            format!("{} ({})", names.join(", "), setting(cx, "currency").await)
        }

        fn same_query_two_scopes(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move {
                // Two requests at once, each loading customers 2 times (and the currency once):
                // 4 runs of the lookup (and 2 of the currency) in all, but never 3 in one scope.
                let (a, b) = tokio::join!(
                    scoped("GET /orders/1", order_header(&cx, [1, 2])),
                    scoped("GET /orders/2", order_header(&cx, [1, 3])),
                );
                vec![a, b]
            })
        }

        /// Reads the currency, retrying while the table is not there yet.
        #[tracing::instrument(skip_all)]
        async fn currency_with_retry(cx: &Cx) -> String {
            let q = format!("SELECT value FROM {} WHERE key = 'currency'", cx.t.late);
            for attempt in 1.. {
                match sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(q.clone())).fetch_one(&cx.pool).await {
                    Ok((value,)) => return value,
                    Err(e) if attempt < 3 => {
                        tracing::debug!(%e, attempt, "retrying");
                        // Meanwhile another process finishes its migration: outside this scope
                        // (a task spawned without the scope's span).
                        let pool = cx.pool.clone();
                        let ddl = cx.t.create_late_sql();
                        tokio::spawn(async move {
                            sqlx::raw_sql(sqlx::AssertSqlSafe(ddl)).execute(&pool).await.unwrap();
                        })
                        .await
                        .unwrap();
                    }
                    Err(e) => panic!("{e}"),
                }
            }
            unreachable!()
        }

        fn retry(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("currency", currency_with_retry(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn export_posts(cx: &Cx) -> usize {
            let (mut after, mut exported) = (0_i64, 0);
            loop {
                let page: Vec<(i64, String)> = sqlx::query_as(sql!(
                    "SELECT id, title FROM {} WHERE id > {} ORDER BY id LIMIT 2", cx.t.posts, ph(1)
                ))
                .bind(after).fetch_all(&cx.pool).await.unwrap();
                exported += page.len();
                match page.last() {
                    Some(&(id, _)) if page.len() == 2 => after = id,
                    _ => return exported,
                }
            }
        }

        fn keyset_pagination(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("export", export_posts(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn authenticate(cx: &Cx) -> (i64, String) {
            customer_card(cx, 1).await
        }

        #[tracing::instrument(skip_all)]
        async fn show_order(cx: &Cx, id: i64) -> (Order, (i64, String)) {
            let order: Order = sqlx::query_as(sql!("SELECT id, customer_id, status FROM {} WHERE id = {id}", cx.t.orders))
                .fetch_one(&cx.pool).await.unwrap();
            let owner = customer_card(cx, order.1).await;
            (order, owner)
        }

        fn same_row_two_call_sites(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move {
                vec![scoped("GET /orders/1", async {
                    let _user = authenticate(&cx).await; // the middleware
                    show_order(&cx, 1).await // the handler, whose order belongs to that user
                })
                .await]
            })
        }

        #[tracing::instrument(skip_all)]
        async fn checkout(cx: &Cx) {
            let mut conn = cx.pool.acquire().await.unwrap();
            for step in 0..3 {
                sqlx::query("BEGIN").execute(&mut *conn).await.unwrap();
                sqlx::query("SAVEPOINT before_step").execute(&mut *conn).await.unwrap();
                match step {
                    0 => sqlx::query(sql!(
                        "INSERT INTO {} (id, customer_id, status) VALUES ({}, {}, 'new')",
                        cx.t.orders, ph(1), ph(2)
                    ))
                    .bind(6_i64).bind(1_i64).execute(&mut *conn).await.unwrap(),
                    1 => sqlx::query(sql!("UPDATE {} SET stock = stock - 1 WHERE id = {}", cx.t.products, ph(1)))
                        .bind(1_i64).execute(&mut *conn).await.unwrap(),
                    _ => sqlx::query(sql!(
                        "INSERT INTO {} (id, order_id, product_id, qty) VALUES ({}, {}, {}, 1)",
                        cx.t.order_items, ph(1), ph(2), ph(3)
                    ))
                    .bind(11_i64).bind(6_i64).bind(1_i64).execute(&mut *conn).await.unwrap(),
                };
                sqlx::query("RELEASE SAVEPOINT before_step").execute(&mut *conn).await.unwrap();
                sqlx::query("COMMIT").execute(&mut *conn).await.unwrap();
            }
        }

        fn transaction_control(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("checkout", checkout(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn posts_with_authors(cx: &Cx) -> Vec<(i64, String, String)> {
            sqlx::query_as(sql!(
                "SELECT p.id, p.title, a.name FROM {} p JOIN {} a ON a.id = p.author_id ORDER BY p.id",
                cx.t.posts, cx.t.authors
            ))
            .fetch_all(&cx.pool).await.unwrap()
        }

        fn single_join(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /posts", posts_with_authors(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn posts_then_authors(cx: &Cx) -> Vec<(String, String)> {
            let posts = posts_where(cx, "id > 0").await;
            let mut ids: Vec<i64> = posts.iter().map(|p| p.1).collect();
            ids.sort_unstable();
            ids.dedup();
            let authors: std::collections::HashMap<i64, String> =
                cx.pool.names_by_ids(&cx.t.authors, &ids).await.into_iter().collect();
            posts.into_iter().map(|(_, a, title)| (title, authors[&a].clone())).collect()
        }

        fn batched_load(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /posts", posts_then_authors(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn count_rows(cx: &Cx, table: &str) -> i64 {
            let (n,): (i64,) = sqlx::query_as(sql!("SELECT count(*) FROM {table}")).fetch_one(&cx.pool).await.unwrap();
            n
        }

        #[tracing::instrument(skip_all)]
        async fn dashboard(cx: &Cx) -> Vec<i64> {
            let mut counters = Vec::new();
            for table in [&cx.t.posts, &cx.t.comments, &cx.t.authors, &cx.t.tags] {
                counters.push(count_rows(cx, table).await);
            }
            counters
        }

        fn different_shapes(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /admin", dashboard(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn author_page(cx: &Cx, author_id: i64) -> Vec<(String, usize)> {
            let mut out = Vec::new();
            for (id, title) in posts_of_author(cx, author_id).await {
                out.push((title, comments_of(cx, id).await.len()));
            }
            out
        }

        fn below_threshold(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /authors/1", author_page(&cx, 1)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn export_items(cx: &Cx) -> usize {
            let mut offset = 0;
            loop {
                let page: Vec<(i64, i64)> = sqlx::query_as(sql!(
                    "SELECT id, qty FROM {} ORDER BY id LIMIT 4 OFFSET {offset}", cx.t.order_items
                ))
                .fetch_all(&cx.pool).await.unwrap();
                offset += page.len();
                if page.len() < 4 {
                    return offset;
                }
            }
        }

        fn offset_pagination(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("export items", export_items(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn post_counts(cx: &Cx) -> Vec<(String, i64)> {
            let mut out = Vec::new();
            for (id, name) in list_authors(cx).await {
                let (n,): (i64,) = sqlx::query_as(sql!("SELECT count(*) FROM {} WHERE author_id = {}", cx.t.posts, ph(1)))
                    .bind(id).fetch_one(&cx.pool).await.unwrap();
                out.push((name, n));
            }
            out
        }

        fn accepted_by_allowance(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move {
                query_guard::install().expect("query-guard's subscriber");
                let allowance = Allowance::n_plus_one(
                    &format!("FROM {} WHERE author_id", cx.t.posts),
                    "the nightly report counts per author to keep each statement on its index",
                )
                .unwrap();
                let budget = Budget::new().deny_n_plus_one(true).allow(allowance);
                let scope = Scope::builder("nightly report").budget(budget).in_test(true).open().unwrap();
                post_counts(&cx).instrument(scope.span().clone()).await;
                let report = scope.finish();
                assert!(!report.failed(), "an allowed N+1 must not fail the scope: {report}");
                vec![report]
            })
        }

        #[tracing::instrument(skip_all)]
        async fn price_list(cx: &Cx) -> Vec<String> {
            let mut out = Vec::new();
            for (id, _, _) in list_orders(cx).await {
                // The currency is read again for every order: the same statement, the same value.
                out.push(format!("order {id} in {}", setting(cx, "currency").await));
            }
            out
        }

        fn same_value_in_loop(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /orders.csv", price_list(&cx)).await] })
        }

        /// The largest batch one statement may load (the bind-parameter limit, small here).
        const BATCH: usize = 2;

        #[tracing::instrument(skip_all)]
        async fn pick_list(cx: &Cx) -> Vec<(String, i64)> {
            let items: Vec<(i64, i64)> = sqlx::query_as(sql!("SELECT product_id, qty FROM {} ORDER BY id", cx.t.order_items))
                .fetch_all(&cx.pool).await.unwrap();
            let mut ids: Vec<i64> = items.iter().map(|&(p, _)| p).collect();
            ids.sort_unstable();
            ids.dedup();
            let mut names = std::collections::HashMap::new();
            for chunk in ids.chunks(BATCH) {
                names.extend(cx.pool.names_by_ids(&cx.t.products, chunk).await);
            }
            items.into_iter().map(|(p, qty)| (names[&p].clone(), qty)).collect()
        }

        fn chunked_batch_load(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("pick list", pick_list(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn import_tags_in_chunks(cx: &Cx, names: &[&str]) {
            let rows: Vec<(i64, &str)> = names.iter().enumerate().map(|(i, n)| (10 + i as i64, *n)).collect();
            for chunk in rows.chunks(BATCH) {
                let mut q = sqlx::QueryBuilder::new(format!("INSERT INTO {} (id, name) ", cx.t.tags));
                q.push_values(chunk, |mut b, &(id, name)| {
                    b.push_bind(id).push_bind(name);
                });
                q.build().execute(&cx.pool).await.unwrap();
            }
        }

        fn chunked_bulk_insert(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move {
                vec![scoped("import tags", import_tags_in_chunks(&cx, &["async", "tokio", "sqlx", "tracing", "serde"])).await]
            })
        }
    };
}
