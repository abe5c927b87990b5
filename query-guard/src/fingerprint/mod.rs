//! Statement fingerprints. TEMPORARY CONTRACT FILE: the fingerprint helper replaces the bodies.

use std::sync::Arc;

/// The SQL dialect a statement is parsed with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Dialect {
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    MySql,
    /// SQLite.
    Sqlite,
    /// Unknown database.
    Generic,
}

impl Dialect {
    /// The dialect for an OpenTelemetry `db.system` value (`postgresql`, `mysql`, `mariadb`, `sqlite`).
    pub fn from_db_system(system: &str) -> Dialect {
        match system.to_ascii_lowercase().as_str() {
            "postgresql" | "postgres" | "pg" => Dialect::Postgres,
            "mysql" | "mariadb" => Dialect::MySql,
            "sqlite" => Dialect::Sqlite,
            _ => Dialect::Generic,
        }
    }
}

/// What a statement does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StatementKind {
    /// SELECT, VALUES, SHOW, WITH … SELECT.
    Select,
    /// INSERT, REPLACE, COPY FROM.
    Insert,
    /// UPDATE.
    Update,
    /// DELETE, TRUNCATE.
    Delete,
    /// CREATE, ALTER, DROP.
    Ddl,
    /// BEGIN, START TRANSACTION, COMMIT, ROLLBACK, SAVEPOINT, RELEASE.
    Transaction,
    /// Anything else.
    Other,
}

/// The identity of a statement shape.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Fingerprint {
    /// 64-bit hash of `normalized`.
    pub hash: u64,
    /// Canonical text, literals replaced by placeholders.
    pub normalized: String,
    /// Statement kind.
    pub kind: StatementKind,
    /// Tables read or written, lower-case, in order of first appearance.
    pub tables: Vec<String>,
    /// sqlcommenter tags.
    pub tags: Vec<(String, String)>,
    /// Whether sqlparser parsed it.
    pub parsed: bool,
}

/// Fingerprint one statement.
pub fn fingerprint(sql: &str, _dialect: Dialect) -> Fingerprint {
    let normalized = sql.split_whitespace().collect::<Vec<_>>().join(" ");
    let first = normalized.split(' ').next().unwrap_or("").to_ascii_lowercase();
    let kind = match first.as_str() {
        "select" | "with" => StatementKind::Select,
        "insert" => StatementKind::Insert,
        "update" => StatementKind::Update,
        "delete" => StatementKind::Delete,
        "begin" | "commit" | "rollback" | "savepoint" | "release" | "start" => StatementKind::Transaction,
        _ => StatementKind::Other,
    };
    let mut h: u64 = 0xcbf29ce484222325;
    for b in normalized.bytes() {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    Fingerprint { hash: h, normalized, kind, tables: vec![], tags: vec![], parsed: false }
}

/// Fingerprint through the process-wide bounded cache.
pub fn fingerprint_cached(sql: &str, dialect: Dialect) -> Arc<Fingerprint> {
    Arc::new(fingerprint(sql, dialect))
}
