//! What text and Markdown print: titled sections of lines and tables, built once by
//! `render::sections` from the report.

/// How a column is aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Left,
    Right,
}

/// A table whose last column is the statement text.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    pub(crate) headers: Vec<&'static str>,
    pub(crate) align: Vec<Align>,
    pub(crate) rows: Vec<Vec<String>>,
}

/// A titled part of the report: lines of text and/or a table.
#[derive(Debug, Clone)]
pub(crate) struct Section {
    pub(crate) title: String,
    pub(crate) lines: Vec<String>,
    pub(crate) table: Option<Table>,
}
