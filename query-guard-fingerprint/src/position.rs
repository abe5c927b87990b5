//! Where a byte offset is in a text, as people count: line and column (in characters), both
//! from 1. Every error about input names its place this way (`query-guard.toml`, SQL given to
//! live EXPLAIN).

/// The line and column (in characters), both from 1, of a byte offset (clamped to the text, and
/// moved back to a character boundary).
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |at| at + 1);
    let line = before.matches('\n').count() + 1;
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::line_column;

    #[test]
    fn lines_and_characters_from_one() {
        assert_eq!(line_column("ab\ncé d", 0), (1, 1));
        assert_eq!(line_column("ab\ncé d", 3), (2, 1));
        // After `é` (two bytes): the fourth character's column, and a byte inside `é` counts
        // as `é`.
        assert_eq!(line_column("ab\ncé d", 6), (2, 3));
        assert_eq!(line_column("ab\ncé d", 5), (2, 2));
        assert_eq!(line_column("ab", 99), (1, 3));
    }
}
