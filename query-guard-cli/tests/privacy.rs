//! The privacy corpus: secret-carrying statements run through sqlx on PostgreSQL, MariaDB and
//! SQLite in failing scopes, then every output that could show them is searched for the
//! secrets: the panic message, the WARN event, the report's Display and JSON, the report files,
//! `query-guard report` in every format, `query-guard fingerprint` in every dialect,
//! `query-guard analyze` (live and on a dump) and live `query-guard explain` (its plans and its
//! errors). Every secret contains `hunter2`; no identifier in the corpus does, so any
//! `hunter2` in any output is a leaked value.
//!
//! Nothing is configured: the statements' databases are whatever query-guard works out by
//! itself (sqlx's events do not say).

#[path = "support/run.rs"]
mod support_run;
use support_run::*;

use std::sync::{Arc, Mutex};

use query_guard::{Budget, Mode, Report, Scope};
use tracing::Instrument;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;

const SECRET: &str = "hunter2";

/// `{t}` is the test's own table.
const POSTGRES: &[&str] = &[
    "SELECT 'hunter2_p01' AS secret",
    r"SELECT E'it\'s', 'hunter2_p02'",
    r"SELECT 'C:\' AS p, 'hunter2_p03' AS q",
    "SET app.api_key = hunter2_p04",
    "SET SESSION app.other TO hunter2_p05",
    "SET LOCAL app.k = 'hunter2_p06'",
    "SELECT set_config('app.k', 'hunter2_p07', false)",
    "SELECT 1 /*token='hunter2_p08'*/",
    "SELECT 1 /*route='%2Fx',token='hunter2_p09',tenant='hunter2_p09b'*/",
    "SELECT $$hunter2_p10$$",
    "SELECT $tag$it's hunter2_p11$tag$",
    "SELECT U&'hunter2_p12'",
    "SELECT 'hunter2_p13'::int",
    "SELECT * FROM {t} WHERE name = 'hunter2_p14'",
    "INSERT INTO {t} (name) VALUES ('hunter2_p15')",
    "UPDATE {t} SET name = 'hunter2_p16' WHERE id = -1",
    "SELECT N'hunter2_p17'",
    "SELECT 1 WHERE 'a' = 'hunter2_p18' -- it's a comment",
    "SELECT 1 /* it's /* nested */ still */ , 'hunter2_p19'",
    "SET ROLE hunter2_p20",
    "SET TIME ZONE 'hunter2_p21'",
    r#"SELECT '{"k":"hunter2_p22"}'::jsonb ? 'k'"#,
    "DO $$BEGIN PERFORM 'hunter2_p23'; END$$",
    "ALTER ROLE qg_privacy_nobody PASSWORD 'hunter2_p24'",
    "COMMENT ON TABLE {t} IS 'hunter2_p25'",
    "SELECT 'unterminated hunter2_p26",
    "SELECT 'a'\n'hunter2_p27'",
    r"SELECT e'\\', 'hunter2_p28'",
    "SELECT x'1F', 'hunter2_p29'",
    "SET search_path TO hunter2_p30, public",
    "SELECT 'it''s', 'hunter2_p31'",
    "SELECT * FROM {t} WHERE name IN ('a', 'hunter2_p32') LIMIT 1",
];

const MARIADB: &[&str] = &[
    r#"SELECT "hunter2_m01""#,
    r#"SELECT * FROM {t} WHERE name = "hunter2_m02""#,
    r"SELECT 'C:\\' AS p, 'hunter2_m03' AS q",
    "SELECT 1 # it's a comment\n, 'hunter2_m04'",
    r"SELECT 'it\'s', 'hunter2_m05'",
    "SET @secret = 'hunter2_m06'",
    r#"SET @secret2 = "hunter2_m07""#,
    "SET @v = hunter2_m08",
    "SET NAMES hunter2_m09",
    "SELECT 1 /*!, 'hunter2_m10' */",
    "SELECT 1 --x 'hunter2_m11'",
    "SELECT _utf8mb4'hunter2_m12'",
    r#"SELECT * FROM {t} WHERE name = ? AND note = "hunter2_m13""#,
    r#"INSERT INTO {t} (name) VALUES ("hunter2_m14")"#,
    "SELECT 1 /*token='hunter2_m15'*/",
    r#"SELECT "it\"s", "hunter2_m16""#,
    "SET SESSION sql_mode = 'hunter2_m17'",
    "SELECT 'a' 'hunter2_m18'",
    "ALTER USER qg_privacy_nobody IDENTIFIED BY 'hunter2_m19'",
    r#"SELECT "unterminated hunter2_m20"#,
    r#"SELECT CONCAT('a', "hunter2_m21")"#,
    "SELECT 1 /* it's */ , 'hunter2_m22'",
    r#"UPDATE {t} SET note = "hunter2_m23" WHERE id = -1"#,
];

const SQLITE: &[&str] = &[
    "SELECT 'hunter2_s01'",
    r#"SELECT "hunter2_s02""#,
    r#"SELECT * FROM {t} WHERE name = "hunter2_s03""#,
    r"SELECT e'\' , 'hunter2_s04'",
    r"SELECT 'C:\' AS p, 'hunter2_s05' AS q",
    "PRAGMA key = hunter2_s06",
    "PRAGMA key = 'hunter2_s07'",
    "SELECT 1 /* /* */ , 'hunter2_s08' -- */",
    "INSERT INTO {t} (name) VALUES ('hunter2_s09')",
    r#"UPDATE {t} SET name = "hunter2_s10" WHERE id = -1"#,
    "SELECT 1 /*token='hunter2_s11'*/",
    "SELECT 'unterminated hunter2_s12",
    r#"SELECT 'a' || "hunter2_s13""#,
    "SELECT 1 WHERE 'x' IN ('a', 'hunter2_s14')",
    r#"SELECT CASE WHEN 1 THEN "hunter2_s15" END"#,
    "SELECT 1 -- 'hunter2_s16",
    "SELECT 'it''s', 'hunter2_s17'",
    "SELECT x'00', 'hunter2_s18'",
    r#"SELECT "it""s", "hunter2_s19""#,
    "SELECT 1 # 'x'\n, 'hunter2_s20'",
];

/// Panics, naming the output and showing where, if `text` holds a secret.
fn assert_clean(what: &str, text: &str) {
    if let Some(at) = text.find(SECRET) {
        let start = text[..at]
            .char_indices()
            .rev()
            .nth(120)
            .map_or(0, |(i, _)| i);
        let end = (at + 120).min(text.len());
        let end = (end..=text.len())
            .find(|&i| text.is_char_boundary(i))
            .unwrap_or(text.len());
        panic!("{what} shows a value: …{}…", &text[start..end]);
    }
}

/// Everything said at target `query_guard` (the WARN events), as text.
#[derive(Clone, Default)]
struct Said(Arc<Mutex<Vec<String>>>);

impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Said {
    fn on_event(&self, event: &tracing::Event<'_>, _: Context<'_, S>) {
        struct Text<'a>(&'a mut String);
        impl tracing::field::Visit for Text<'_> {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push_str(&format!("{}={value:?} ", field.name()));
            }
        }
        if event.metadata().target() == "query_guard" {
            let mut text = String::new();
            event.record(&mut Text(&mut text));
            self.0.lock().unwrap().push(text);
        }
    }
}

fn db_required() -> bool {
    matches!(
        std::env::var("QUERY_GUARD_REQUIRE_DB").as_deref(),
        Ok("1") | Ok("true")
    )
}

fn pg_url() -> String {
    std::env::var("QUERY_GUARD_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned())
}

fn mysql_url() -> String {
    std::env::var("QUERY_GUARD_MYSQL_URL")
        .unwrap_or_else(|_| "mysql://root@127.0.0.1:3306/test".to_owned())
}

/// A database the corpus runs on.
enum Server {
    Postgres(sqlx::PgPool),
    MariaDb(sqlx::MySqlPool),
    Sqlite(sqlx::SqlitePool),
}

impl Server {
    async fn run(&self, sql: &str) {
        let text = || sqlx::AssertSqlSafe(sql.to_owned());
        // Many of them fail on purpose: failed statements are logged (and recorded) too.
        let _ = match self {
            Server::Postgres(p) => sqlx::query(text()).fetch_all(p).await.map(drop),
            Server::MariaDb(p) if sql.contains('?') => {
                sqlx::query(text()).bind(1_i32).fetch_all(p).await.map(drop)
            }
            Server::MariaDb(p) => sqlx::query(text()).fetch_all(p).await.map(drop),
            Server::Sqlite(p) => sqlx::query(text()).fetch_all(p).await.map(drop),
        };
    }
}

/// Runs `corpus` in one failing scope of `mode`, returns the report and the panic message.
async fn scope_run(name: &str, mode: Mode, db: &Server, corpus: &[String]) -> (Report, String) {
    let scope = Scope::builder(name)
        .budget(Budget::new().max(0))
        .mode(mode)
        .open()
        .expect("scope");
    async {
        for sql in corpus {
            db.run(sql).await;
        }
    }
    .instrument(scope.span().clone())
    .await;
    // Closing applies the mode: a panic (kept quiet: its message is checked below), or a
    // WARN event.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let panic = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let _ = scope.finish_and_check();
    }));
    std::panic::set_hook(hook);
    let report = scope.finish();
    let message = match panic {
        Ok(()) => String::new(),
        Err(payload) => payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default(),
    };
    (report, message)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_reaches_any_output() {
    let dir = std::env::temp_dir().join(format!("qg-privacy-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // SAFETY: the only test of this binary, before anything reads the environment.
    unsafe { std::env::set_var("QUERY_GUARD_REPORT_DIR", &dir) };
    let said = Said::default();
    tracing_subscriber::registry()
        .with(query_guard::layer())
        .with(said.clone())
        .init();

    let table = format!("qg_priv_{}", std::process::id());
    let corpus =
        |list: &[&str]| -> Vec<String> { list.iter().map(|s| s.replace("{t}", &table)).collect() };
    assert!(POSTGRES.len() + MARIADB.len() + SQLITE.len() >= 60);

    let mut dbs: Vec<(&str, Server, Vec<String>)> = Vec::new();
    match sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(&pg_url())
        .await
    {
        Ok(pool) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE TABLE IF NOT EXISTS {table} (id serial PRIMARY KEY, name text, note text)"
            )))
            .execute(&pool)
            .await
            .unwrap();
            dbs.push(("postgres", Server::Postgres(pool), corpus(POSTGRES)));
        }
        Err(e) if db_required() => panic!("PostgreSQL is required: {e}"),
        Err(e) => eprintln!("SKIPPED: PostgreSQL unreachable ({e})"),
    }
    match sqlx::mysql::MySqlPoolOptions::new()
        .max_connections(1)
        .connect(&mysql_url())
        .await
    {
        Ok(pool) => {
            sqlx::query(sqlx::AssertSqlSafe(format!(
                "CREATE TABLE IF NOT EXISTS {table} (id INT AUTO_INCREMENT PRIMARY KEY, name TEXT, note TEXT)"
            )))
            .execute(&pool)
            .await
            .unwrap();
            dbs.push(("mariadb", Server::MariaDb(pool), corpus(MARIADB)));
        }
        Err(e) if db_required() => panic!("MariaDB is required: {e}"),
        Err(e) => eprintln!("SKIPPED: MariaDB unreachable ({e})"),
    }
    let sqlite_file = dir.with_extension("db");
    let sqlite = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new()
                .filename(&sqlite_file)
                .create_if_missing(true),
        )
        .await
        .expect("SQLite file");
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE TABLE IF NOT EXISTS {table} (id INTEGER PRIMARY KEY, name TEXT, note TEXT)"
    )))
    .execute(&sqlite)
    .await
    .unwrap();
    dbs.push(("sqlite", Server::Sqlite(sqlite), corpus(SQLITE)));

    // The library's outputs.
    for (name, db, statements) in &dbs {
        for mode in [Mode::Panic, Mode::Warn] {
            let scope = format!("privacy {name} {mode:?}");
            let (report, panic) = scope_run(&scope, mode, db, statements).await;
            assert!(
                report.statements().len() >= statements.len(),
                "{scope}: {} of {} statements recorded\n{report}",
                report.statements().len(),
                statements.len()
            );
            assert!(report.failed(), "{scope}");
            assert_clean(&format!("{scope}: Display"), &report.to_string());
            assert_clean(&format!("{scope}: JSON"), &report.to_json().to_string());
            if mode == Mode::Panic {
                assert!(!panic.is_empty(), "{scope}: no panic");
                assert_clean(&format!("{scope}: panic message"), &panic);
            }
        }
    }
    let events = said.0.lock().unwrap().join("\n");
    assert!(events.contains("query budget exceeded"), "{events}");
    assert_clean("WARN events", &events);

    // The report files, and `query-guard report` on them.
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).expect("report files") {
        let path = entry.unwrap().path();
        assert_clean(
            &format!("report file {}", path.display()),
            &std::fs::read_to_string(&path).unwrap(),
        );
        files += 1;
    }
    assert!(
        files >= 2 * dbs.len(),
        "{files} report files in {}",
        dir.display()
    );
    let dir_arg = dir.to_str().unwrap();
    for format in ["text", "markdown", "json"] {
        let o = run(
            &["report", dir_arg, "--format", format, "--top", "1000"],
            None,
        );
        assert_clean(&format!("report --format {format}"), &stdout(&o));
        assert_clean(&format!("report --format {format} (stderr)"), &stderr(&o));
    }

    // `query-guard fingerprint`, unknown and known dialect, text and JSON.
    for (name, _, statements) in &dbs {
        let dialect = if *name == "mariadb" { "mysql" } else { name };
        for sql in statements {
            for d in ["generic", dialect] {
                for json in [false, true] {
                    let mut args = vec!["fingerprint", "--dialect", d];
                    if json {
                        args.push("--json");
                    }
                    args.push(sql);
                    let o = run(&args, None);
                    assert!(o.status.success(), "{o:?}");
                    assert_clean(&format!("fingerprint -d {d} {sql:?}"), &stdout(&o));
                }
            }
        }
    }

    // `query-guard analyze`: a dump holding the PostgreSQL corpus as its texts, and the live
    // pg_stat_statements (PostgreSQL 15 keeps utility statements' texts as they ran).
    let mut csv = String::from("query,calls,total_exec_time\n");
    for sql in &corpus(POSTGRES) {
        csv.push_str(&format!("\"{}\",3,1.5\n", sql.replace('"', "\"\"")));
    }
    let dump = dir.with_extension("csv");
    std::fs::write(&dump, &csv).unwrap();
    for format in ["text", "markdown", "json"] {
        let o = run(
            &[
                "analyze",
                dump.to_str().unwrap(),
                "--format",
                format,
                "--top",
                "1000",
            ],
            None,
        );
        assert!(o.status.success(), "{o:?}");
        assert_clean(&format!("analyze dump --format {format}"), &stdout(&o));
    }
    if dbs.iter().any(|(n, ..)| *n == "postgres") {
        for format in ["text", "json"] {
            let o = run(
                &[
                    "analyze",
                    "--database-url",
                    &pg_url(),
                    "--format",
                    format,
                    "--top",
                    "1000",
                ],
                None,
            );
            assert_clean(&format!("analyze live --format {format}"), &stdout(&o));
            assert_clean(
                &format!("analyze live --format {format} (stderr)"),
                &stderr(&o),
            );
        }
    }

    // Live `query-guard explain`: plans and errors.
    let sqlite_url = format!("sqlite:{}", sqlite_file.display());
    for (name, _, statements) in &dbs {
        let url = match *name {
            "postgres" => pg_url(),
            "sqlite" => sqlite_url.clone(),
            _ => continue,
        };
        for sql in statements {
            let o = run(&["explain", "--database-url", &url, "--sql", sql], None);
            assert_clean(&format!("explain {name} {sql:?}"), &stdout(&o));
            assert_clean(&format!("explain {name} {sql:?} (stderr)"), &stderr(&o));
        }
    }

    // Tidy up.
    for (_, db, _) in &dbs {
        db.run(&format!("DROP TABLE IF EXISTS {table}")).await;
    }
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&sqlite_file);
    let _ = std::fs::remove_file(&dump);
}
