//! The text and Markdown forms of the aggregate.
//!
//! - `words`: phrases both forms use (times, counts, scope names, where a finding ran);
//! - `text`: aligned text, at most 100 columns;
//! - `markdown`: headings and tables.

mod markdown;
mod text;
mod words;

pub(crate) use markdown::markdown;
pub(crate) use text::text;
