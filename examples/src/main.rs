//! query-guard demo: a small axum + sqlx blog on in-memory SQLite.
//!
//! `cargo run -p query-guard-demo` starts the app in-process on a loopback port, calls its three
//! endpoints over HTTP, and prints what query-guard found:
//!
//! - `GET /posts`: lists posts, then loads each post's author and counts its comments with two
//!   more queries per post (an N+1, as a repeated sequence) and reads the site title twice (a
//!   duplicate): it breaks the `list` budget (at most 10 queries);
//! - `GET /posts/fixed`: the same page in one JOIN;
//! - `GET /posts/{id}`: a detail page, within the `detail` budget (at most 5 queries).
//!
//! Handlers are not test code, so a broken budget is a WARN event (target `query_guard`) that
//! carries the report, as it would be in production. Nothing to set up: the database is in
//! memory and seeded at start.

use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use query_guard::query_budget;
use serde::Serialize;
use sqlx::SqlitePool;
use sqlx::sqlite::SqlitePoolOptions;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tracing_subscriber::prelude::*;
use tracing_subscriber::{EnvFilter, fmt};

#[derive(Serialize)]
struct Post {
    id: i64,
    title: String,
    author: String,
}

#[derive(Serialize)]
struct PostDetail {
    id: i64,
    title: String,
    author: String,
    comments: Vec<String>,
}

type ApiError = (axum::http::StatusCode, String);

fn internal(e: sqlx::Error) -> ApiError {
    (axum::http::StatusCode::INTERNAL_SERVER_ERROR, e.to_string())
}

/// Loads one author: the line that, called in a loop, makes the N+1.
#[tracing::instrument(skip(db))]
async fn load_author(db: &SqlitePool, author_id: i64) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT name FROM authors WHERE id = ?")
        .bind(author_id)
        .fetch_one(db)
        .await
}

/// Counts one post's comments: the second statement of the per-post sequence.
#[tracing::instrument(skip(db))]
async fn count_comments(db: &SqlitePool, post_id: i64) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar("SELECT count(*) FROM comments WHERE post_id = ?")
        .bind(post_id)
        .fetch_one(db)
        .await
}

/// The site's title, read where it is needed instead of once per request: a duplicate.
#[tracing::instrument(skip(db))]
async fn site_title(db: &SqlitePool) -> Result<String, sqlx::Error> {
    sqlx::query_scalar("SELECT value FROM settings WHERE name = 'site_title'")
        .fetch_one(db)
        .await
}

/// The N+1: one query for the page, then two per post (its author, its comment count), and the
/// site title read twice.
#[query_budget(list)]
async fn list_posts(State(db): State<SqlitePool>) -> Result<Json<Vec<Post>>, ApiError> {
    let _title = site_title(&db).await.map_err(internal)?;
    let rows: Vec<(i64, String, i64)> =
        sqlx::query_as("SELECT id, title, author_id FROM posts ORDER BY id LIMIT 20")
            .fetch_all(&db)
            .await
            .map_err(internal)?;
    let mut posts = Vec::with_capacity(rows.len());
    for (id, title, author_id) in rows {
        let author = load_author(&db, author_id).await.map_err(internal)?;
        let _comments = count_comments(&db, id).await.map_err(internal)?;
        posts.push(Post { id, title, author });
    }
    let _footer_title = site_title(&db).await.map_err(internal)?;
    Ok(Json(posts))
}

/// The fix: one JOIN.
#[query_budget(list)]
async fn list_posts_fixed(State(db): State<SqlitePool>) -> Result<Json<Vec<Post>>, ApiError> {
    let rows: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT p.id, p.title, a.name FROM posts p JOIN authors a ON a.id = p.author_id ORDER BY p.id LIMIT 20",
    )
    .fetch_all(&db)
    .await
    .map_err(internal)?;
    Ok(Json(
        rows.into_iter()
            .map(|(id, title, author)| Post { id, title, author })
            .collect(),
    ))
}

/// A detail page: post, author, comments: three queries, within `detail` (5).
#[query_budget(detail)]
async fn show_post(
    State(db): State<SqlitePool>,
    Path(id): Path<i64>,
) -> Result<Json<PostDetail>, ApiError> {
    let (title, author_id): (String, i64) =
        sqlx::query_as("SELECT title, author_id FROM posts WHERE id = ?")
            .bind(id)
            .fetch_one(&db)
            .await
            .map_err(internal)?;
    let author = load_author(&db, author_id).await.map_err(internal)?;
    let comments = sqlx::query_scalar("SELECT body FROM comments WHERE post_id = ? ORDER BY id")
        .bind(id)
        .fetch_all(&db)
        .await
        .map_err(internal)?;
    Ok(Json(PostDetail {
        id,
        title,
        author,
        comments,
    }))
}

fn app(db: SqlitePool) -> Router {
    Router::new()
        .route("/posts", get(list_posts))
        .route("/posts/fixed", get(list_posts_fixed))
        .route("/posts/{id}", get(show_post))
        .with_state(db)
}

async fn seed() -> Result<SqlitePool, sqlx::Error> {
    // One connection that lives as long as the pool: every `sqlite::memory:` connection would
    // otherwise be a database of its own.
    let db = SqlitePoolOptions::new()
        .max_connections(1)
        .min_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .connect("sqlite::memory:")
        .await?;
    sqlx::raw_sql(
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
         CREATE TABLE posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES authors(id), title TEXT NOT NULL);
         CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts(id), body TEXT NOT NULL);
         CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL);
         INSERT INTO settings (name, value) VALUES ('site_title', 'query-guard demo');",
    )
    .execute(&db)
    .await?;
    for i in 1..=20_i64 {
        sqlx::query("INSERT INTO authors (id, name) VALUES (?, ?)")
            .bind(i)
            .bind(format!("Author {i}"))
            .execute(&db)
            .await?;
        sqlx::query("INSERT INTO posts (id, author_id, title) VALUES (?, ?, ?)")
            .bind(i)
            .bind(i)
            .bind(format!("Post {i}"))
            .execute(&db)
            .await?;
        sqlx::query("INSERT INTO comments (post_id, body) VALUES (?, 'First!'), (?, 'Nice post')")
            .bind(i)
            .bind(i)
            .execute(&db)
            .await?;
    }
    Ok(db)
}

/// A minimal HTTP/1.1 GET over loopback, so the demo needs no HTTP client crate.
async fn get_url(addr: std::net::SocketAddr, path: &str) -> std::io::Result<(String, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    let request = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut response = String::new();
    stream.read_to_string(&mut response).await?;
    let status = response.lines().next().unwrap_or_default().to_owned();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The application's subscriber: query-guard's layer, and a fmt layer filtered PER LAYER so
    // sqlx's DEBUG statement events still reach query-guard. `query_guard=debug` also shows the
    // one-line summary of scopes that stayed within budget.
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("warn,query_guard=debug"));
    tracing_subscriber::registry()
        .with(query_guard::layer())
        .with(
            fmt::layer()
                .without_time()
                .with_target(false)
                .with_filter(filter),
        )
        .init();

    let db = seed().await?;
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let server = tokio::spawn(async move { axum::serve(listener, app(db)).await });

    for path in ["/posts", "/posts/fixed", "/posts/7"] {
        println!("\n=== GET {path}");
        let (status, body) = get_url(addr, path).await?;
        let preview: String = body.chars().take(90).collect();
        println!("{status}  {preview}…");
        // The WARN or DEBUG line for this request is printed by the handler's scope as it ends.
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    server.abort();
    println!(
        "\nAbove each response: query-guard's WARN event (with the full report) for a handler that \
         broke its budget or ran an N+1, or its one-line DEBUG summary for a handler within budget."
    );
    Ok(())
}
