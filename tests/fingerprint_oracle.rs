//! Oracle test: query-guard's fingerprints against PostgreSQL's own `queryid`.
//!
//! Runs a few hundred variants of realistic statements (joins, subqueries, CTEs, window
//! functions, inserts, upserts, updates, deletes) with different literals, IN-list lengths, keyword
//! case, whitespace, comments and identifier quoting, with pg_stat_statements on. Each statement's
//! `queryid` is read from `EXPLAIN (VERBOSE)` ("Query Identifier") and checked against what
//! pg_stat_statements recorded for the executed statement. Then: every set of statements
//! PostgreSQL gave one `queryid` must have one query-guard fingerprint, and pg_stat_statements'
//! own normalised text of that `queryid` must have that fingerprint too. (query-guard may merge
//! more, e.g. IN lists of different lengths; never less.)
//!
//! Skips without a server (fails with `QUERY_GUARD_REQUIRE_DB=1`); needs `pg_stat_statements` in
//! `shared_preload_libraries` (fails without it when `QUERY_GUARD_REQUIRE_DB=1`, skips otherwise).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use query_guard::fingerprint::{Dialect, fingerprint, fnv1a_64};
use sqlx::{AssertSqlSafe, PgPool, Row};

const SCHEMA: &str = "
DROP TABLE IF EXISTS fp_oracle_items, fp_oracle_orders, fp_oracle_products, fp_oracle_users, fp_oracle_orgs CASCADE;
CREATE TABLE fp_oracle_orgs (id bigserial PRIMARY KEY, name text NOT NULL);
CREATE TABLE fp_oracle_users (
    id bigserial PRIMARY KEY, email text UNIQUE NOT NULL, name text, age int,
    active boolean NOT NULL DEFAULT true, created_at timestamptz NOT NULL DEFAULT now(), org_id bigint);
CREATE TABLE fp_oracle_orders (
    id bigserial PRIMARY KEY, user_id bigint, total numeric(14,2) NOT NULL DEFAULT 0, status text,
    created_at timestamptz NOT NULL DEFAULT now());
CREATE TABLE fp_oracle_products (
    id bigserial PRIMARY KEY, sku text UNIQUE NOT NULL, name text, price numeric(14,2), category text);
CREATE TABLE fp_oracle_items (
    id bigserial PRIMARY KEY, order_id bigint, product_id bigint, qty int, price numeric(14,2));
INSERT INTO fp_oracle_orgs (name) SELECT 'org ' || g FROM generate_series(1, 5) g;
INSERT INTO fp_oracle_users (email, name, age, org_id)
    SELECT 'seed' || g || '@example.com', 'user ' || g, 20 + g, 1 + g % 5 FROM generate_series(1, 30) g;
INSERT INTO fp_oracle_orders (user_id, total, status)
    SELECT 1 + g % 30, g * 3.5, (ARRAY['new', 'paid', 'shipped'])[1 + g % 3] FROM generate_series(1, 90) g;
INSERT INTO fp_oracle_products (sku, name, price, category)
    SELECT 'sku-' || g, 'product ' || g, g * 2, (ARRAY['books', 'games'])[1 + g % 2] FROM generate_series(1, 20) g;
INSERT INTO fp_oracle_items (order_id, product_id, qty, price)
    SELECT 1 + g % 90, 1 + g % 20, 1 + g % 4, g FROM generate_series(1, 200) g;
";

/// Statement templates. Slots: `#N` small positive integer, `#I` signed integer, `#S` string,
/// `#T` timestamp string, `#D` interval string, `#Z` date_trunc unit, `#B` boolean, `#U` unique string, `#L` integer
/// list, `#W` string list, `#R{…}` a row repeated a varying number of times.
const TEMPLATES: &[&str] = &[
    "SELECT id, email, name FROM fp_oracle_users WHERE id = #N",
    "SELECT * FROM fp_oracle_users WHERE email = #S AND active = #B",
    "SELECT id, name FROM fp_oracle_users WHERE id IN (#L) ORDER BY id LIMIT #N",
    "SELECT u.id, u.name, o.total FROM fp_oracle_users u JOIN fp_oracle_orders o ON o.user_id = u.id WHERE o.status = #S AND o.total > #N ORDER BY o.created_at DESC LIMIT #N OFFSET #N",
    "SELECT u.id, count(o.id) FROM fp_oracle_users u LEFT JOIN fp_oracle_orders o ON o.user_id = u.id GROUP BY u.id HAVING count(o.id) > #N",
    "SELECT * FROM fp_oracle_orders WHERE user_id IN (SELECT id FROM fp_oracle_users WHERE org_id = #N AND age > #N)",
    "SELECT * FROM fp_oracle_products p WHERE EXISTS (SELECT 1 FROM fp_oracle_items i WHERE i.product_id = p.id AND i.qty > #N)",
    "WITH recent AS (SELECT * FROM fp_oracle_orders WHERE created_at > now() - interval #D) SELECT user_id, sum(total) FROM recent GROUP BY user_id",
    "SELECT id, total, row_number() OVER (PARTITION BY user_id ORDER BY created_at DESC) FROM fp_oracle_orders WHERE status <> #S",
    "SELECT user_id, total, sum(total) OVER (ORDER BY id ROWS BETWEEN #N PRECEDING AND CURRENT ROW) FROM fp_oracle_orders",
    "INSERT INTO fp_oracle_users (email, name, age) VALUES (#U, #S, #N)",
    "INSERT INTO fp_oracle_orders (user_id, total, status) VALUES #R{(#N, #N, #S)}",
    "INSERT INTO fp_oracle_products (sku, name, price) VALUES (#U, #S, #N) ON CONFLICT (sku) DO UPDATE SET price = excluded.price, name = excluded.name",
    "INSERT INTO fp_oracle_products (sku, name, price) VALUES (#U, #S, #N) ON CONFLICT DO NOTHING",
    "INSERT INTO fp_oracle_orgs (name) VALUES (#S) RETURNING id",
    "UPDATE fp_oracle_users SET name = #S, age = age + #N WHERE id = #N",
    "UPDATE fp_oracle_orders SET status = #S WHERE user_id IN (#L) AND status = #S",
    "UPDATE fp_oracle_orders o SET total = o.total + #N FROM fp_oracle_users u WHERE u.id = o.user_id AND u.org_id = #N",
    "DELETE FROM fp_oracle_items WHERE order_id = #N",
    "DELETE FROM fp_oracle_orders WHERE created_at < now() - interval #D RETURNING id",
    "DELETE FROM fp_oracle_items i USING fp_oracle_orders o WHERE i.order_id = o.id AND o.status = #S AND o.total < #N",
    "SELECT * FROM fp_oracle_users WHERE name LIKE #S OR name ILIKE #S",
    "SELECT coalesce(max(total), #N) FROM fp_oracle_orders WHERE status = ANY(ARRAY[#W])",
    "SELECT CASE WHEN age < #N THEN #S WHEN age < #N THEN #S ELSE #S END FROM fp_oracle_users",
    "SELECT date_trunc(#Z, created_at) d, count(*) FROM fp_oracle_orders GROUP BY 1 ORDER BY 1",
    "SELECT u.* FROM fp_oracle_users u WHERE u.created_at BETWEEN #T AND #T",
    "SELECT o.id FROM fp_oracle_orders o JOIN fp_oracle_items i ON i.order_id = o.id JOIN fp_oracle_products p ON p.id = i.product_id WHERE p.category = #S AND i.qty >= #N",
    "SELECT * FROM fp_oracle_users WHERE id = #N FOR UPDATE",
    "SELECT name FROM fp_oracle_users UNION SELECT name FROM fp_oracle_products WHERE price > #N",
    "SELECT * FROM fp_oracle_users WHERE age IS NULL AND name = #S",
    "SELECT * FROM fp_oracle_users WHERE org_id IS NOT NULL LIMIT #N",
    "SELECT id FROM fp_oracle_users WHERE (age, org_id) = (#N, #N)",
    "SELECT lower(email), length(name) + #N FROM fp_oracle_users WHERE id > #I",
    "SELECT * FROM fp_oracle_orders WHERE total BETWEEN #N AND #N AND status IN (#W)",
    "SELECT substring(name from #N for #N) FROM fp_oracle_users",
    "SELECT extract(year from created_at), count(*) FROM fp_oracle_orders GROUP BY 1",
    "SELECT * FROM fp_oracle_users u WHERE NOT EXISTS (SELECT 1 FROM fp_oracle_orders o WHERE o.user_id = u.id)",
    "SELECT p.category, avg(p.price) FROM fp_oracle_products p GROUP BY p.category HAVING avg(p.price) > #N",
    "WITH RECURSIVE r(n) AS (SELECT #N UNION ALL SELECT n + 1 FROM r WHERE n < #N) SELECT count(*) FROM r, fp_oracle_orgs",
    "SELECT jsonb_build_object(#S, id) FROM fp_oracle_users WHERE id = #N",
    "INSERT INTO fp_oracle_items (order_id, product_id, qty, price) SELECT o.id, #N, #N, #N FROM fp_oracle_orders o WHERE o.status = #S AND o.id < #N",
    "UPDATE fp_oracle_products SET price = price + #N WHERE category IN (#W) RETURNING id, price",
    "SELECT * FROM fp_oracle_orders WHERE status = #S AND created_at > #T::timestamptz",
    "SELECT u.name, (SELECT count(*) FROM fp_oracle_orders o WHERE o.user_id = u.id) FROM fp_oracle_users u WHERE u.active = #B",
    "SELECT DISTINCT status FROM fp_oracle_orders WHERE total > #N",
    "DELETE FROM fp_oracle_users WHERE email = #S AND id > #N",
    "SELECT o.user_id, sum(i.qty * i.price) FROM fp_oracle_orders o JOIN fp_oracle_items i ON i.order_id = o.id WHERE o.created_at >= #T GROUP BY o.user_id ORDER BY 2 DESC LIMIT #N",
    "SELECT * FROM fp_oracle_users WHERE id = #N AND (name = #S OR email <> #S) AND age BETWEEN #N AND #N",
];

/// Other spellings of some templates above that PostgreSQL gives the same `queryid` (optional
/// keywords, `!=`, `FETCH FIRST`, another `EXTRACT` field): query-guard must merge them too.
const EQUIVALENTS: &[&str] = &[
    "SELECT id, name FROM fp_oracle_users WHERE id IN (#L) ORDER BY id ASC FETCH FIRST #N ROWS ONLY",
    "SELECT u.id, u.name, o.total FROM fp_oracle_users AS u INNER JOIN fp_oracle_orders AS o ON o.user_id = u.id WHERE o.status = #S AND o.total > #N ORDER BY o.created_at DESC LIMIT #N OFFSET #N ROWS",
    "SELECT u.id, count(o.id) FROM fp_oracle_users u LEFT OUTER JOIN fp_oracle_orders o ON o.user_id = u.id GROUP BY u.id HAVING count(o.id) > #N",
    "SELECT id, total, row_number() OVER (PARTITION BY user_id ORDER BY created_at DESC) FROM fp_oracle_orders WHERE status != #S",
    "SELECT extract(month from created_at), count(*) FROM fp_oracle_orders GROUP BY 1",
    "SELECT * FROM fp_oracle_users WHERE org_id IS NOT NULL FETCH NEXT #N ROWS ONLY",
];

/// Variants per template: each uses other literals and another spelling.
const VARIANTS: usize = 5;
/// IN-list and VALUES lengths per variant (several variants share one, so PostgreSQL 15, which
/// tells list lengths apart, still gives them one `queryid`).
const LIST_LEN: [usize; VARIANTS] = [3, 1, 3, 3, 6];
const ROWS: [usize; VARIANTS] = [1, 2, 1, 1, 3];

struct Gen {
    seq: usize,
}

impl Gen {
    fn literals(&mut self, template: &str, variant: usize) -> String {
        let strs = ["'new'", "'paid'", "'bob''s'", "'x y z'", "''", "'%user%'"];
        let mut out = String::new();
        let mut rest = template;
        while let Some(pos) = rest.find('#') {
            out.push_str(&rest[..pos]);
            // Slots are matched in any case: one spelling lower-cases the whole template.
            let slot = rest
                .as_bytes()
                .get(pos + 1)
                .copied()
                .unwrap_or(b' ')
                .to_ascii_uppercase();
            rest = &rest[pos + 2..];
            self.seq += 1;
            let k = self.seq + variant * 7;
            match slot {
                b'N' => out.push_str(&(1 + k % 9).to_string()),
                b'I' => out.push_str(&format!("{}", (k % 7) as i64 - 3)),
                b'S' => out.push_str(strs[k % strs.len()]),
                b'T' => out.push_str(&format!("'2024-0{}-1{} 10:00:00+00'", 1 + k % 9, k % 9)),
                b'D' => out.push_str(["'1 day'", "'7 days'", "'1 hour'", "'30 minutes'"][k % 4]),
                b'Z' => out.push_str(["'day'", "'month'", "'year'", "'week'"][k % 4]),
                b'B' => out.push_str(if k.is_multiple_of(2) { "true" } else { "false" }),
                b'U' => out.push_str(&format!("'fp-oracle-{}-{}'", std::process::id(), self.seq)),
                b'L' => out.push_str(
                    &(0..LIST_LEN[variant])
                        .map(|i| (1 + (k + i) % 40).to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                b'W' => out.push_str(
                    &(0..LIST_LEN[variant])
                        .map(|i| strs[(k + i) % 3])
                        .collect::<Vec<_>>()
                        .join(", "),
                ),
                b'R' => {
                    let end = rest.find('}').expect("#R{…} closes");
                    let row = &rest[1..end];
                    rest = &rest[end + 1..];
                    let rows: Vec<String> = (0..ROWS[variant])
                        .map(|_| self.literals(row, variant))
                        .collect();
                    out.push_str(&rows.join(", "));
                }
                other => panic!("unknown slot #{}", other as char),
            }
        }
        out.push_str(rest);
        out
    }
}

/// Spell the statement differently for each variant: literals only, lower-case keywords,
/// new lines and comments, quoted identifiers, upper-case table names.
fn spell(template: &str, variant: usize) -> String {
    match variant {
        1 => template.to_lowercase(),
        2 => {
            template
                .replace(" FROM ", "\n  FROM /* c */ ")
                .replace(" WHERE ", " -- where\n WHERE  ")
                + " "
        }
        3 => {
            let mut s = template.to_owned();
            for t in [
                "fp_oracle_users",
                "fp_oracle_orders",
                "fp_oracle_items",
                "fp_oracle_products",
                "fp_oracle_orgs",
            ] {
                s = s.replace(&format!(" {t}"), &format!(" \"{t}\""));
            }
            s
        }
        4 => template
            .replace("fp_oracle_", "FP_ORACLE_")
            .replace(" ORDER BY ", " order by "),
        _ => template.to_owned(),
    }
}

async fn pg_stat_statements_ready(pool: &PgPool) -> Result<(), String> {
    sqlx::raw_sql("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
        .execute(pool)
        .await
        .map_err(|e| format!("CREATE EXTENSION pg_stat_statements failed: {e}"))?;
    sqlx::raw_sql("SELECT count(*) FROM pg_stat_statements").execute(pool).await.map_err(|e| {
        format!("pg_stat_statements is not loaded ({e}); add it to shared_preload_libraries and restart the server")
    })?;
    Ok(())
}

async fn query_id(pool: &PgPool, sql: &str) -> i64 {
    let rows = sqlx::raw_sql(AssertSqlSafe(format!("EXPLAIN (VERBOSE) {sql}")))
        .fetch_all(pool)
        .await
        .unwrap_or_else(|e| panic!("EXPLAIN failed for {sql:?}: {e}"));
    for row in rows {
        let line: String = row.try_get(0).expect("EXPLAIN line");
        if let Some(id) = line.trim().strip_prefix("Query Identifier: ") {
            return id.trim().parse().expect("numeric query identifier");
        }
    }
    panic!("EXPLAIN (VERBOSE) printed no Query Identifier for {sql:?}: is compute_query_id off?");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_queryid_groups_never_split() {
    let Some(pool) = query_guard_tests::postgres(1).await else {
        return;
    };
    if let Err(why) = pg_stat_statements_ready(&pool).await {
        if query_guard_tests::db_required() {
            panic!("{why} (QUERY_GUARD_REQUIRE_DB=1)");
        }
        eprintln!("SKIPPED: {why}; set QUERY_GUARD_REQUIRE_DB=1 to make this a failure");
        return;
    }
    sqlx::raw_sql(SCHEMA).execute(&pool).await.expect("schema");

    let mut generator = Gen { seq: 0 };
    // (sql, queryid, our fingerprint, normalised text)
    let mut ran: Vec<(String, i64, u64, String)> = Vec::new();
    for template in TEMPLATES.iter().chain(EQUIVALENTS) {
        for v in 0..VARIANTS {
            let sql = generator.literals(&spell(template, v), v);
            let id = query_id(&pool, &sql).await;
            sqlx::raw_sql(AssertSqlSafe(sql.clone()))
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("statement failed: {sql:?}: {e}"));
            let fp = fingerprint(&sql, Dialect::Postgres);
            ran.push((sql, id, fp.hash, fp.normalized));
        }
    }
    assert!(ran.len() >= 200, "only {} statements", ran.len());

    // What pg_stat_statements recorded for the executed statements must carry the same ids.
    let recorded: HashMap<i64, String> = sqlx::query_as::<_, (i64, String)>(
        "SELECT queryid, query FROM pg_stat_statements WHERE query ILIKE '%fp\\_oracle\\_%' AND dbid = (SELECT oid FROM pg_database WHERE datname = current_database())",
    )
    .fetch_all(&pool)
    .await
    .expect("read pg_stat_statements")
    .into_iter()
    .collect();
    for (sql, id, _, _) in &ran {
        assert!(
            recorded.contains_key(id),
            "pg_stat_statements has no entry {id} for the executed {sql:?}"
        );
    }

    let mut groups: BTreeMap<i64, Vec<usize>> = BTreeMap::new();
    for (i, r) in ran.iter().enumerate() {
        groups.entry(r.1).or_default().push(i);
    }
    // Control: hashing the raw text would split most groups, so the check below can fail.
    let raw_splits = groups
        .values()
        .filter(|m| {
            m.iter()
                .map(|&i| fnv1a_64(ran[i].0.as_bytes()))
                .collect::<BTreeSet<_>>()
                .len()
                > 1
        })
        .count();
    assert!(
        raw_splits >= TEMPLATES.len() / 2,
        "the variants are too alike to test anything ({raw_splits})"
    );

    let mut split = Vec::new();
    for (id, members) in &groups {
        let ours: BTreeSet<u64> = members.iter().map(|&i| ran[i].2).collect();
        if ours.len() > 1 {
            let texts: Vec<String> = members
                .iter()
                .map(|&i| format!("    {:?}\n      -> {}", ran[i].0, ran[i].3))
                .collect();
            split.push(format!(
                "queryid {id} got {} fingerprints:\n{}",
                ours.len(),
                texts.join("\n")
            ));
        }
    }
    let multi = groups.values().filter(|m| m.len() > 1).count();
    let ours: BTreeSet<u64> = ran.iter().map(|r| r.2).collect();
    eprintln!(
        "fingerprint oracle: {} statements, {} PostgreSQL queryids ({} with several statements), {} query-guard fingerprints",
        ran.len(),
        groups.len(),
        multi,
        ours.len()
    );
    // pg_stat_statements' own text of each entry ($n for every constant, the first variant's
    // spelling) has the fingerprint of the statements it stands for.
    let mut pgss_mismatch = Vec::new();
    for (id, members) in &groups {
        let text = &recorded[id];
        let fp = fingerprint(text, Dialect::Postgres);
        let ours = &ran[members[0]];
        if fp.hash != ours.2 {
            pgss_mismatch.push(format!(
                "queryid {id}: pg_stat_statements text {text:?}\n      -> {}\n    executed {:?}\n      -> {}",
                fp.normalized, ours.0, ours.3
            ));
        }
    }

    assert!(
        split.is_empty(),
        "query-guard split what PostgreSQL merged:\n{}",
        split.join("\n")
    );
    assert!(
        pgss_mismatch.is_empty(),
        "pg_stat_statements texts fingerprint differently:\n{}",
        pgss_mismatch.join("\n")
    );
    // The test only means something if PostgreSQL merged many variants.
    assert!(
        multi >= TEMPLATES.len(),
        "only {multi} queryids had several statements"
    );
    // And we never merge different templates (different tables or columns).
    assert!(
        ours.len() >= TEMPLATES.len(),
        "{} fingerprints for {} templates",
        ours.len(),
        TEMPLATES.len()
    );

    sqlx::raw_sql("DROP TABLE IF EXISTS fp_oracle_items, fp_oracle_orders, fp_oracle_products, fp_oracle_users, fp_oracle_orgs")
        .execute(&pool)
        .await
        .expect("drop tables");
}
