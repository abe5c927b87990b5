//! Property tests of fingerprints: no panic on any input, normalising is idempotent, literals
//! never matter and never leak, the hash is the documented one, the cache agrees.

use proptest::prelude::*;
use query_guard_fingerprint::{
    Dialect, FingerprintCache, RULES_VERSION, fingerprint, fingerprint_cached, fnv1a_64,
};

const DIALECTS: [Dialect; 4] = [
    Dialect::Postgres,
    Dialect::MySql,
    Dialect::Sqlite,
    Dialect::Generic,
];

fn dialect() -> impl Strategy<Value = Dialect> {
    prop::sample::select(&DIALECTS[..])
}

/// Pieces of SQL, valid and not, that the lexer must handle.
fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "SELECT",
            "select",
            "FROM",
            "WHERE",
            "AND",
            "OR",
            "NOT",
            "IN",
            "ANY",
            "ALL",
            "VALUES",
            "INSERT",
            "INTO",
            "UPDATE",
            "SET",
            "DELETE",
            "JOIN",
            "LEFT",
            "INNER",
            "OUTER",
            "ON",
            "AS",
            "ASC",
            "DESC",
            "ORDER",
            "BY",
            "GROUP",
            "LIMIT",
            "OFFSET",
            "WITH",
            "RECURSIVE",
            "UNION",
            "IS",
            "NULL",
            "TRUE",
            "SAVEPOINT",
            "RELEASE",
            "ROLLBACK",
            "TO",
            "BEGIN",
            "COMMIT",
            "DECLARE",
            "CURSOR",
            "FETCH",
            "PREPARE",
            "EXECUTE",
            "DEALLOCATE",
            "CLOSE",
            "ARRAY",
            "CAST",
            "INTERVAL",
            "DISTINCT",
            "EXISTS",
            "(",
            ")",
            "[",
            "]",
            ",",
            ";",
            ".",
            "*",
            "=",
            "<>",
            "!=",
            "<",
            ">=",
            "-",
            "+",
            "||",
            "::",
            "->>",
            "?|",
            "#",
            "@",
            "%",
            "/",
            "$",
            ":",
            "\\",
            "{",
            "}",
            "--",
            "/*",
            "*/",
            "'",
            "\"",
            "`",
            "$$",
        ])
        .prop_map(str::to_owned),
        "[a-zA-Z_][a-zA-Z0-9_]{0,8}",
        "[0-9]{1,6}(\\.[0-9]{1,3})?",
        "'[^']{0,8}'",
        "\"[^\"]{0,8}\"",
        "`[^`]{0,8}`",
        "\\$[0-9]{1,2}",
        "\\?[0-9]{0,2}",
        ":[a-z]{1,5}",
        "/\\*[a-z=' ,]{0,12}\\*/",
        "--[a-z ]{0,8}\n",
        "\\$[a-z]{0,3}\\$[a-z ]{0,6}\\$[a-z]{0,3}\\$",
        ".{1,3}",
    ]
}

fn sqlish() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            token(),
            prop::sample::select(vec![" ", "", "\n", "  ", "\t"]),
        ),
        0..40,
    )
    .prop_map(|parts| parts.into_iter().map(|(t, sep)| t + sep).collect())
}

fn corpus() -> Vec<&'static str> {
    include_str!("../benches/corpus/statements.sql")
        .lines()
        .filter(|l| !l.starts_with("--") && !l.is_empty())
        .collect()
}

/// A corpus statement, cut, with bytes deleted, or with a piece inserted.
fn mutated() -> impl Strategy<Value = String> {
    (
        prop::sample::select(corpus()),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        token(),
        0..4u8,
    )
        .prop_map(|(s, a, b, piece, op)| {
            let chars: Vec<char> = s.chars().collect();
            let (i, j) = (a.index(chars.len() + 1), b.index(chars.len() + 1));
            let (lo, hi) = (i.min(j), i.max(j));
            match op {
                0 => chars[..lo].iter().collect(),
                1 => chars[..lo].iter().chain(&chars[hi..]).collect(),
                2 => {
                    chars[..lo].iter().collect::<String>()
                        + &piece
                        + &chars[lo..].iter().collect::<String>()
                }
                _ => s.to_owned(),
            }
        })
}

/// A statement template with literal slots filled by either literal set.
fn template_with_two_fillings() -> impl Strategy<Value = (String, String, Dialect)> {
    let lit = prop_oneof![
        "[0-9]{1,6}",
        "-[0-9]{1,3}",
        "[0-9]{1,3}\\.[0-9]{1,2}",
        "'[a-zA-Z0-9 ]{0,10}'",
        Just("TRUE".to_owned()),
        Just("NULL".to_owned()),
        Just("$1".to_owned()),
        Just("?".to_owned()),
    ];
    (
        prop::sample::select(vec![
            "SELECT a, b FROM t WHERE a = {} AND b > {} ORDER BY a LIMIT {}",
            "INSERT INTO t (a, b) VALUES ({}, {})",
            "UPDATE t SET a = {}, b = {} WHERE id = {}",
            "DELETE FROM t WHERE a IN ({}, {}, {})",
            "SELECT * FROM t JOIN u ON u.id = t.uid WHERE u.x = {} OR t.y < {}",
        ]),
        prop::collection::vec((lit.clone(), lit), 3),
        dialect(),
    )
        .prop_map(|(tpl, lits, d)| {
            let fill = |pick: fn(&(String, String)) -> &String| {
                let mut s = tpl.to_owned();
                for l in &lits {
                    s = s.replacen("{}", pick(l), 1);
                }
                s
            };
            (fill(|p| &p.0), fill(|p| &p.1), d)
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_any_string(s in any::<String>(), d in dialect()) {
        let fp = fingerprint(&s, d);
        prop_assert_eq!(fp.hash, fnv1a_64(format!("v{RULES_VERSION}:{}", fp.normalized).as_bytes()));
        let _ = fingerprint_cached(&s, d);
    }

    #[test]
    fn normalising_is_idempotent_on_sqlish_text(s in sqlish(), d in dialect()) {
        let once = fingerprint(&s, d);
        let twice = fingerprint(&once.normalized, d);
        prop_assert_eq!(&once.normalized, &twice.normalized, "input: {:?}", s);
        prop_assert_eq!(once.hash, twice.hash);
    }

    #[test]
    fn normalising_is_idempotent_on_mutated_corpus(s in mutated(), d in dialect()) {
        let once = fingerprint(&s, d);
        let twice = fingerprint(&once.normalized, d);
        prop_assert_eq!(&once.normalized, &twice.normalized, "input: {:?}", s);
        prop_assert_eq!(&once.tables, &twice.tables, "input: {:?}", s);
    }

    #[test]
    fn literal_values_never_matter((a, b, d) in template_with_two_fillings()) {
        // NULL is a literal except after IS, which the templates never have.
        prop_assert_eq!(fingerprint(&a, d).hash, fingerprint(&b, d).hash, "{:?} vs {:?}", a, b);
    }

    #[test]
    fn string_literals_never_leak(secret in "[a-z]{6}", d in dialect(), tpl in prop::sample::select(vec![
        "SELECT * FROM t WHERE password = '{}'",
        "INSERT INTO t VALUES (1, 'x{}y', 2)",
        "UPDATE t SET token = E'{}' WHERE id = 1",
        "SELECT * FROM t WHERE a = $tag${}$tag$",
        "SELECT * FROM t WHERE a = 'it''s {}'",
        "SELECT * FROM t WHERE a = N'{}' /* c */",
        "SELECT * FROM t WHERE a = '{}",
    ])) {
        let marker = format!("zq{secret}");
        let sql = tpl.replace("{}", &marker);
        let fp = fingerprint(&sql, d);
        prop_assert!(!fp.normalized.contains(&marker), "{:?} -> {:?}", sql, fp.normalized);
        prop_assert!(!fp.tables.iter().any(|t| t.contains(&marker)));
    }

    #[test]
    fn cache_agrees_with_direct_computation(s in prop_oneof![sqlish(), mutated()], d in dialect()) {
        let cache = FingerprintCache::new(64, 1 << 16);
        let first = cache.get(&s, d);
        let second = cache.get(&s, d);
        let direct = fingerprint(&s, d);
        prop_assert_eq!(&*first, &direct);
        prop_assert_eq!(&*second, &direct);
    }
}
