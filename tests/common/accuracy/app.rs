//! The accuracy suite's application: a blog and a shop, written as services usually are, with
//! loaders in their own functions, most of them instrumented (expanded by
//! [`crate::accuracy_suite!`] inside its `app` module).

/// The application code the scenarios run: its row types, its loaders and `scoped`.
#[doc(hidden)]
#[macro_export]
#[rustfmt::skip]
macro_rules! accuracy_app {
    () => {
        /// (id, author_id, title)
        type Post = (i64, i64, String);
        /// (id, customer_id, status)
        type Order = (i64, i64, String);

        // ---------------------------------------------------------------------------------
        // The application: a blog and a shop, written as services usually are, with
        // loaders in their own functions, most of them instrumented.
        // ---------------------------------------------------------------------------------

        #[tracing::instrument(skip_all)]
        async fn list_authors(cx: &Cx) -> Vec<(i64, String)> {
            sqlx::query_as(sql!("SELECT id, name FROM {} ORDER BY id", cx.t.authors))
                .fetch_all(&cx.pool).await.unwrap()
        }

        #[tracing::instrument(skip_all)]
        async fn posts_of_author(cx: &Cx, author_id: i64) -> Vec<(i64, String)> {
            sqlx::query_as(sql!("SELECT id, title FROM {} WHERE author_id = {} ORDER BY id", cx.t.posts, ph(1)))
                .bind(author_id).fetch_all(&cx.pool).await.unwrap()
        }

        /// Posts matching `filter`, a fixed condition written by the caller.
        #[tracing::instrument(skip_all)]
        async fn posts_where(cx: &Cx, filter: &str) -> Vec<Post> {
            sqlx::query_as(sql!("SELECT id, author_id, title FROM {} WHERE {filter} ORDER BY id", cx.t.posts))
                .fetch_all(&cx.pool).await.unwrap()
        }

        #[tracing::instrument(skip_all)]
        async fn author_name(cx: &Cx, id: i64) -> String {
            let (name,): (String,) = sqlx::query_as(sql!("SELECT name FROM {} WHERE id = {}", cx.t.authors, ph(1)))
                .bind(id).fetch_one(&cx.pool).await.unwrap();
            name
        }

        #[tracing::instrument(skip_all)]
        async fn tags_of(cx: &Cx, post_id: i64) -> Vec<String> {
            let rows: Vec<(String,)> = sqlx::query_as(sql!(
                "SELECT t.name FROM {} t JOIN {} pt ON pt.tag_id = t.id WHERE pt.post_id = {} ORDER BY t.name",
                cx.t.tags, cx.t.post_tags, ph(1)
            ))
            .bind(post_id).fetch_all(&cx.pool).await.unwrap();
            rows.into_iter().map(|(n,)| n).collect()
        }

        /// (id, author_id, body) of a post's comments.
        #[tracing::instrument(skip_all)]
        async fn comments_of(cx: &Cx, post_id: i64) -> Vec<(i64, i64, String)> {
            sqlx::query_as(sql!("SELECT id, author_id, body FROM {} WHERE post_id = {} ORDER BY id", cx.t.comments, ph(1)))
                .bind(post_id).fetch_all(&cx.pool).await.unwrap()
        }

        #[tracing::instrument(skip_all)]
        async fn list_orders(cx: &Cx) -> Vec<Order> {
            sqlx::query_as(sql!("SELECT id, customer_id, status FROM {} ORDER BY id", cx.t.orders))
                .fetch_all(&cx.pool).await.unwrap()
        }

        #[tracing::instrument(skip_all)]
        async fn find_customer(cx: &Cx, id: i64) -> String {
            let (name,): (String,) = sqlx::query_as(sql!("SELECT name FROM {} WHERE id = {}", cx.t.customers, ph(1)))
                .bind(id).fetch_one(&cx.pool).await.unwrap();
            name
        }

        /// (product_id, qty) of an order's items.
        #[tracing::instrument(skip_all)]
        async fn items_of(cx: &Cx, order_id: i64) -> Vec<(i64, i64)> {
            sqlx::query_as(sql!("SELECT product_id, qty FROM {} WHERE order_id = {} ORDER BY id", cx.t.order_items, ph(1)))
                .bind(order_id).fetch_all(&cx.pool).await.unwrap()
        }

        /// (product_id, qty) of the items of orders 1 and 2.
        #[tracing::instrument(skip_all)]
        async fn items_of_first_orders(cx: &Cx) -> Vec<(i64, i64)> {
            sqlx::query_as(sql!("SELECT product_id, qty FROM {} WHERE order_id IN (1, 2) ORDER BY id", cx.t.order_items))
                .fetch_all(&cx.pool).await.unwrap()
        }

        /// A setting, its key written into the SQL (as a query builder that inlines constants
        /// would).
        #[tracing::instrument(skip_all)]
        async fn setting(cx: &Cx, key: &str) -> String {
            let (value,): (String,) = sqlx::query_as(sql!("SELECT value FROM {} WHERE key = '{key}'", cx.t.settings))
                .fetch_one(&cx.pool).await.unwrap();
            value
        }

        /// A customer's card, the id written into the SQL.
        #[tracing::instrument(skip_all)]
        async fn customer_card(cx: &Cx, id: i64) -> (i64, String) {
            sqlx::query_as(sql!("SELECT id, name FROM {} WHERE id = {id}", cx.t.customers))
                .fetch_one(&cx.pool).await.unwrap()
        }

        /// Runs `future` in a scope and returns its report.
        async fn scoped<T>(name: &str, future: impl std::future::Future<Output = T>) -> Report {
            capture_async(name, future).await.1
        }
    };
}
