//! The accuracy suite's scenarios that must flag an N+1 (or a repeated sequence): the code of
//! each, expanded by [`crate::accuracy_suite!`] inside its `app` module, after the application.

/// The scenarios that must flag: each one's code and the function that runs it in its scopes.
#[doc(hidden)]
#[macro_export]
#[rustfmt::skip]
macro_rules! accuracy_must_flag {
    () => {
        #[tracing::instrument(skip_all)]
        async fn author_index(cx: &Cx) -> Vec<(String, usize)> {
            let mut index = Vec::new();
            for (id, name) in list_authors(cx).await {
                index.push((name, posts_of_author(cx, id).await.len()));
            }
            index
        }

        fn children_per_parent(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /authors", author_index(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn orders_page(cx: &Cx) -> Vec<(i64, String, String)> {
            let mut rows = Vec::new();
            for (id, customer_id, status) in list_orders(cx).await {
                rows.push((id, find_customer(cx, customer_id).await, status));
            }
            rows
        }

        fn related_row_per_row(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /orders", orders_page(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn import_tags(cx: &Cx, names: &[&str]) {
            for (i, name) in names.iter().enumerate() {
                sqlx::query(sql!("INSERT INTO {} (id, name) VALUES ({}, {})", cx.t.tags, ph(1), ph(2)))
                    .bind(10 + i as i64).bind(*name).execute(&cx.pool).await.unwrap();
            }
        }

        fn insert_per_row(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move {
                vec![scoped("import tags", import_tags(&cx, &["async", "tokio", "sqlx", "tracing"])).await]
            })
        }

        #[tracing::instrument(skip_all)]
        async fn reserve_stock(cx: &Cx) {
            for (product_id, qty) in items_of_first_orders(cx).await {
                sqlx::query(sql!("UPDATE {} SET stock = stock - {} WHERE id = {}", cx.t.products, ph(1), ph(2)))
                    .bind(qty).bind(product_id).execute(&cx.pool).await.unwrap();
            }
        }

        fn update_per_row(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("reserve stock", reserve_stock(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn feed_with_tags(cx: &Cx) -> Vec<(i64, Vec<String>)> {
            let posts = posts_where(cx, "id > 0").await;
            let tasks: Vec<_> = posts
                .iter()
                .map(|&(id, _, _)| {
                    let cx = cx.clone();
                    query_guard::spawn(async move { (id, tags_of(&cx, id).await) })
                })
                .collect();
            let mut out = Vec::new();
            for task in tasks {
                out.push(task.await.unwrap());
            }
            out
        }

        fn spawned_tasks(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /feed", feed_with_tags(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn send_reminders(cx: &Cx) -> usize {
            let mut sent = 0;
            for (i, (id, customer_id, status)) in list_orders(cx).await.into_iter().enumerate() {
                let _name = find_customer(cx, customer_id).await;
                if status == "pending" {
                    sqlx::query(sql!("UPDATE {} SET status = 'reminded' WHERE id = {}", cx.t.orders, ph(1)))
                        .bind(id).execute(&cx.pool).await.unwrap();
                    sent += 1;
                }
                if i == 2 {
                    // Halfway through, the job checks the shop is still open for orders.
                    let _: (i64,) = sqlx::query_as(sql!("SELECT count(*) FROM {} WHERE stock > 0", cx.t.products))
                        .fetch_one(&cx.pool).await.unwrap();
                }
            }
            sent
        }

        fn interleaved(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("reminders", send_reminders(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn post_cards(cx: &Cx) -> Vec<(String, String, Vec<String>)> {
            let posts: Vec<Post> =
                sqlx::query_as(sql!("SELECT id, author_id, title FROM {} ORDER BY id DESC LIMIT 4", cx.t.posts))
                .fetch_all(&cx.pool).await.unwrap();
            let mut cards = Vec::new();
            for (id, author_id, title) in posts {
                let author = author_name(cx, author_id).await;
                cards.push((title, author, tags_of(cx, id).await));
            }
            cards
        }

        fn repeated_sequence(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /", post_cards(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn customer_summaries(cx: &Cx) -> Vec<(String, usize)> {
            let customers: Vec<(i64, String)> = sqlx::query_as(sql!("SELECT id, name FROM {} ORDER BY id", cx.t.customers))
                .fetch_all(&cx.pool).await.unwrap();
            let mut out = Vec::new();
            for (id, name) in customers {
                let orders: Vec<(i64, String)> = sqlx::query_as(sql!(
                    "SELECT id, status FROM {} WHERE customer_id = {} ORDER BY id", cx.t.orders, ph(1)
                ))
                .bind(id).fetch_all(&cx.pool).await.unwrap();
                out.push((name, orders.len()));
            }
            out
        }

        fn threshold_exactly(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /customers", customer_summaries(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn purge_comments(cx: &Cx, post_id: i64) {
            let ids: Vec<(i64,)> = sqlx::query_as(sql!("SELECT id FROM {} WHERE post_id = {}", cx.t.comments, ph(1)))
                .bind(post_id).fetch_all(&cx.pool).await.unwrap();
            for (id,) in ids {
                sqlx::query(sql!("DELETE FROM {} WHERE id = {}", cx.t.comments, ph(1)))
                    .bind(id).execute(&cx.pool).await.unwrap();
            }
        }

        fn delete_per_row(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("purge", purge_comments(&cx, 3)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn render_post(cx: &Cx, post: &Post) -> String {
            format!("{} by {}", post.2, author_name(cx, post.1).await)
        }

        #[tracing::instrument(skip_all)]
        async fn render_feed(cx: &Cx) -> Vec<String> {
            let mut html = Vec::new();
            for post in posts_where(cx, "author_id IN (1, 2, 3)").await {
                html.push(render_post(cx, &post).await);
            }
            html
        }

        fn helper_in_other_span(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /feed.html", render_feed(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn thread_view(cx: &Cx) -> Vec<(String, Vec<(String, String)>)> {
            let mut out = Vec::new();
            for (id, _, title) in posts_where(cx, "author_id IN (1, 2)").await {
                let mut comments = Vec::new();
                for (_, author_id, body) in comments_of(cx, id).await {
                    comments.push((author_name(cx, author_id).await, body));
                }
                out.push((title, comments));
            }
            out
        }

        fn nested(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /threads", thread_view(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn comment_counts(cx: &Cx) -> Vec<(String, usize)> {
            let mut out = Vec::new();
            for (id, _, title) in posts_where(cx, "author_id IN (3, 4)").await {
                out.push((title, comments_of(cx, id).await.len()));
            }
            out
        }

        fn empty_children(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("GET /authors/3/posts", comment_counts(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn invoice_lines(cx: &Cx) -> Vec<(String, i64)> {
            let mut lines = Vec::new();
            for (product_id, qty) in items_of_first_orders(cx).await {
                let (name, price): (String, i64) = sqlx::query_as(sql!(
                    "SELECT name, price FROM {} WHERE id = {product_id}", cx.t.products
                ))
                .fetch_one(&cx.pool).await.unwrap();
                lines.push((name, price * qty));
            }
            lines
        }

        fn pk_literals(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("invoice", invoice_lines(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn repack(cx: &Cx) {
            let mut tx = cx.pool.begin().await.unwrap();
            let items: Vec<(i64, i64)> =
                sqlx::query_as(sql!("SELECT id, qty FROM {} WHERE order_id <= 3 ORDER BY id", cx.t.order_items))
                .fetch_all(&mut *tx).await.unwrap();
            for (id, qty) in items {
                sqlx::query(sql!("UPDATE {} SET qty = {} WHERE id = {}", cx.t.order_items, ph(1), ph(2)))
                    .bind(qty * 2).bind(id).execute(&mut *tx).await.unwrap();
            }
            tx.commit().await.unwrap();
        }

        fn inside_transaction(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("repack", repack(&cx)).await] })
        }

        #[tracing::instrument(skip_all)]
        async fn process_orders(cx: &Cx) -> usize {
            let orders: Vec<Order> = sqlx::query_as(sql!(
                "SELECT id, customer_id, status FROM {} WHERE status <> 'shipped' ORDER BY id", cx.t.orders
            ))
            .fetch_all(&cx.pool).await.unwrap();
            let mut lines = 0;
            for (id, customer_id, _) in orders {
                let _customer = find_customer(cx, customer_id).await;
                lines += items_of(cx, id).await.len();
                sqlx::query(sql!("UPDATE {} SET status = 'processing' WHERE id = {}", cx.t.orders, ph(1)))
                    .bind(id).execute(&cx.pool).await.unwrap();
            }
            lines
        }

        fn three_step_sequence(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("process orders", process_orders(&cx)).await] })
        }

        /// The two newest comments of a post since the reader's last visit.
        #[tracing::instrument(skip_all)]
        async fn newest_comments(cx: &Cx, post_id: i64, since: i64) -> Vec<(i64, String)> {
            sqlx::query_as(sql!(
                "SELECT id, body FROM {} WHERE post_id = {} AND id > {} ORDER BY id DESC LIMIT 2",
                cx.t.comments, ph(1), ph(2)
            ))
            .bind(post_id).bind(since).fetch_all(&cx.pool).await.unwrap()
        }

        #[tracing::instrument(skip_all)]
        async fn digest(cx: &Cx) -> Vec<(String, Vec<(i64, String)>)> {
            let mut out = Vec::new();
            for (id, _, title) in posts_where(cx, "id <= 3").await {
                out.push((title, newest_comments(cx, id, 0).await));
            }
            out
        }

        fn top_k_per_parent(cx: Cx) -> BoxFuture<Vec<Report>> {
            Box::pin(async move { vec![scoped("digest", digest(&cx)).await] })
        }
    };
}
