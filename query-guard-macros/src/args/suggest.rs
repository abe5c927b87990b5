//! "Did you mean": the valid argument closest to an unknown one.

use super::VALID;

/// Levenshtein distance, for "did you mean".
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = Vec::with_capacity(b.len() + 1);
        cur.push(i + 1);
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The valid argument closest to `key`, when it is close enough to be a typo.
fn suggestion(key: &str) -> Option<&'static str> {
    VALID
        .iter()
        .map(|v| (distance(key, v), *v))
        .filter(|(d, v)| *d <= (v.len() / 3).max(1))
        .min_by_key(|(d, _)| *d)
        .map(|(_, v)| v)
}

pub(super) fn unknown_message(key: &str) -> String {
    let valid = VALID
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ");
    match suggestion(key) {
        Some(s) => {
            format!("unknown argument `{key}`: did you mean `{s}`? Valid arguments: {valid}")
        }
        None => format!("unknown argument `{key}`; valid arguments: {valid}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_names_only() {
        assert_eq!(suggestion("max_read"), Some("max_reads"));
        assert_eq!(
            suggestion("include_transaction"),
            Some("include_transactions")
        );
        assert_eq!(suggestion("deny_n_plus_1"), Some("deny_n_plus_one"));
        assert_eq!(suggestion("budget"), None);
        assert_eq!(suggestion("x"), None);
    }
}
