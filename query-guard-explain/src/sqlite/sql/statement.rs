//! What the walk records: the statement's table references (bindings) with the columns their
//! predicates compare, each select's sort clauses, and the questions the rules ask of them.

/// A table reference in the statement.
#[derive(Debug, Clone, Default)]
pub(crate) struct Binding {
    /// The name the plan prints: the alias, else the table's name.
    pub name: String,
    /// The table, `None` for a subquery or a `WITH` query.
    pub table: Option<String>,
    /// Columns compared for equality with a constant (`=`, `IN (…)`, `IS NULL`).
    pub eq: Vec<String>,
    /// Columns compared for equality with another table's column.
    pub join: Vec<String>,
    /// Columns compared with a range (`<`, `>`, `BETWEEN`, `LIKE`).
    pub range: Vec<String>,
}

/// One sort term: a column of a binding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SortTerm {
    /// The binding's index.
    pub binding: usize,
    /// The column.
    pub column: String,
    /// `DESC`.
    pub desc: bool,
}

/// What a temporary b-tree is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Clause {
    /// `ORDER BY`.
    OrderBy,
    /// `GROUP BY`.
    GroupBy,
    /// `SELECT DISTINCT`.
    Distinct,
}

#[derive(Debug, Default)]
pub(super) struct Select {
    pub(super) parent: Option<usize>,
    pub(super) bindings: Vec<usize>,
    /// `None`: the clause is absent or has a term that is not a plain column.
    pub(super) order_by: Option<Vec<SortTerm>>,
    pub(super) group_by: Option<Vec<SortTerm>>,
    pub(super) distinct: Option<Vec<SortTerm>>,
}

/// The statement's table references and clauses.
#[derive(Debug, Default)]
pub(crate) struct Statement {
    pub(super) bindings: Vec<Binding>,
    pub(super) selects: Vec<Select>,
    pub(super) ctes: Vec<String>,
}

/// The columns an index on one table reference could serve.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Predicates {
    /// The table.
    pub table: Option<String>,
    /// Equality with constants.
    pub eq: Vec<String>,
    /// Equality with other tables' columns.
    pub join: Vec<String>,
    /// Ranges.
    pub range: Vec<String>,
}

impl Predicates {
    /// Equality columns (constants, then joins), then ranges, each once.
    pub(crate) fn index_columns(&self) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for c in self.eq.iter().chain(&self.join).chain(&self.range) {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(c)) {
                out.push(c.clone());
            }
        }
        out
    }
}

pub(super) fn push_unique(list: &mut Vec<String>, c: &str) {
    if !list.iter().any(|o| o.eq_ignore_ascii_case(c)) {
        list.push(c.to_owned());
    }
}
impl Statement {
    /// The references the plan names `name` (alias or table).
    pub(crate) fn bindings_named<'s, 'n>(
        &'s self,
        name: &'n str,
    ) -> impl Iterator<Item = &'s Binding> + use<'s, 'n> {
        self.bindings
            .iter()
            .filter(move |b| b.name.eq_ignore_ascii_case(name))
    }

    /// The table behind the name a plan prints, when it is a table.
    pub(crate) fn table_of(&self, name: &str) -> Option<&str> {
        self.bindings_named(name).find_map(|b| b.table.as_deref())
    }

    /// Whether the plan's name is a subquery or a `WITH` query of the statement (and not a
    /// table).
    pub(crate) fn is_subquery(&self, name: &str) -> bool {
        let mut named = self.bindings_named(name).peekable();
        named.peek().is_some() && named.all(|b| b.table.is_none())
            || self.ctes.iter().any(|c| c.eq_ignore_ascii_case(name))
    }

    /// The predicates on the table reference(s) the plan names `name`, merged.
    pub(crate) fn predicates(&self, name: &str) -> Predicates {
        let mut p = Predicates::default();
        for b in self.bindings_named(name) {
            if p.table.is_none() {
                p.table = b.table.clone();
            }
            for c in &b.eq {
                push_unique(&mut p.eq, c);
            }
            for c in &b.join {
                push_unique(&mut p.join, c);
            }
            for c in &b.range {
                push_unique(&mut p.range, c);
            }
        }
        p
    }

    /// For a temporary b-tree serving `clause` next to scans of `names`: the table and the
    /// columns of an index that would serve it (that table's equality columns, then the
    /// clause's columns), when every term of the clause is a column of that one table.
    pub(crate) fn sort_index(
        &self,
        names: &[&str],
        clause: Clause,
    ) -> Option<(String, Vec<String>)> {
        for sel in &self.selects {
            let terms = match clause {
                Clause::OrderBy => sel.order_by.as_ref(),
                Clause::GroupBy => sel.group_by.as_ref(),
                Clause::Distinct => sel.distinct.as_ref(),
            };
            let Some(terms) = terms.filter(|t| !t.is_empty()) else {
                continue;
            };
            let in_names = sel.bindings.iter().any(|&b| {
                names
                    .iter()
                    .any(|n| self.bindings[b].name.eq_ignore_ascii_case(n))
            });
            if !in_names {
                continue;
            }
            let b = terms[0].binding;
            if terms.iter().any(|t| t.binding != b) {
                continue;
            }
            let binding = &self.bindings[b];
            let Some(table) = binding.table.clone() else {
                continue;
            };
            let mixed = terms.iter().any(|t| t.desc) && terms.iter().any(|t| !t.desc);
            let mut cols: Vec<String> = Vec::new();
            for c in &binding.eq {
                if !terms.iter().any(|t| t.column.eq_ignore_ascii_case(c)) {
                    push_unique(&mut cols, c);
                }
            }
            for t in terms {
                if mixed && t.desc {
                    push_unique(&mut cols, &format!("{} DESC", t.column));
                } else {
                    push_unique(&mut cols, &t.column);
                }
            }
            return Some((table, cols));
        }
        None
    }
}
