//! The statements of a token stream: what the normaliser and the utility-statement rule walk
//! one at a time.

use super::lexer::Tok;

/// Calls `f` on the tokens of each `;`-separated statement.
pub(crate) fn each_statement<'a>(toks: &mut [Tok<'a>], mut f: impl FnMut(&mut [Tok<'a>])) {
    let mut start = 0;
    while start < toks.len() {
        let mut end = start;
        while end < toks.len() && !toks[end].is_punct(";") {
            end += 1;
        }
        f(&mut toks[start..end]);
        start = end + 1;
    }
}
