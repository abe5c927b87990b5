//! The walk over sqlparser's tree, with an explicit stack, recording each table reference's
//! predicates and each select's sort clauses.

use std::panic::{AssertUnwindSafe, catch_unwind};

use sqlparser::ast::{
    BinaryOperator, Distinct, Expr, FromTable, FunctionArg, FunctionArgExpr, FunctionArguments,
    GroupByExpr, InTarget, ObjectName, OrderByKind, OrderBySort, Query, SelectItem, SetExpr,
    Statement as Stmt, TableFactor, TableWithJoins,
};
use sqlparser::dialect::{PostgreSqlDialect, SQLiteDialect};
use sqlparser::parser::Parser;

use query_guard_fingerprint::_support::lex;
use query_guard_fingerprint::_support::operator_count;
use query_guard_fingerprint::Dialect;

use super::statement::{Binding, Select, SortTerm, Statement, push_unique};

/// Longest statement analysed (1 MiB).
pub(crate) const MAX_SQL_LEN: usize = 1 << 20;
/// Most operators in a statement analysed.
pub(crate) const MAX_OPERATORS: usize = 1000;

fn last_part(name: &ObjectName) -> String {
    name.0
        .last()
        .and_then(|p| p.as_ident())
        .map(|i| i.value.clone())
        .unwrap_or_default()
}

/// Parses `sql` (SQLite dialect) and records its table references; `None` when it does not
/// parse.
pub(crate) fn analyse(sql: &str) -> Option<Statement> {
    if sql.len() > MAX_SQL_LEN || operator_count(&lex(sql, Dialect::Sqlite).toks) > MAX_OPERATORS {
        return None;
    }
    // sqlparser's SQLite dialect lacks some of SQLite's syntax (`AS MATERIALIZED` in `WITH`):
    // PostgreSQL's reads those, and only names are taken from the tree.
    let parsed = catch_unwind(AssertUnwindSafe(|| {
        Parser::parse_sql(&SQLiteDialect {}, sql)
            .or_else(|_| Parser::parse_sql(&PostgreSqlDialect {}, sql))
    }))
    .ok()?
    .ok()?;
    let stmt = parsed.first()?;
    let mut st = Statement::default();
    let mut work: Vec<Work<'_>> = Vec::new();
    match stmt {
        Stmt::Query(q) => work.push(Work::Query(q, None)),
        Stmt::Update(u) => {
            let s = st.new_select(None);
            st.from(s, std::slice::from_ref(&u.table), &mut work);
            if let Some(e) = &u.selection {
                work.push(Work::Filter(e, s));
            }
        }
        Stmt::Delete(d) => {
            let s = st.new_select(None);
            let from = match &d.from {
                FromTable::WithFromKeyword(f) | FromTable::WithoutKeyword(f) => f,
            };
            st.from(s, from, &mut work);
            if let Some(e) = &d.selection {
                work.push(Work::Filter(e, s));
            }
        }
        Stmt::Insert(i) => {
            if let Some(q) = &i.source {
                work.push(Work::Query(q, None));
            }
        }
        _ => return None,
    }
    while let Some(w) = work.pop() {
        match w {
            Work::Query(q, parent) => st.query(q, parent, &mut work),
            Work::Filter(e, s) => st.filter(e, s, &mut work),
            Work::Subqueries(e, s) => st.subqueries(e, s, &mut work),
        }
    }
    Some(st)
}

enum Work<'a> {
    /// A query whose selects' parent scope is the given select.
    Query(&'a Query, Option<usize>),
    /// A predicate of a select (`WHERE`, `ON`).
    Filter(&'a Expr, usize),
    /// An expression only searched for subqueries (select list, `HAVING`).
    Subqueries(&'a Expr, usize),
}

/// An unqualified name in double quotes (`"paid"`), which SQLite may read as a string.
fn double_quoted(e: &Expr) -> bool {
    let mut e = e;
    loop {
        match e {
            Expr::Nested(inner) => e = inner,
            Expr::Identifier(i) => return i.quote_style == Some('"'),
            _ => return false,
        }
    }
}

/// A column reference: qualifier and column.
fn column(e: &Expr) -> Option<(Option<&str>, &str)> {
    let mut e = e;
    loop {
        match e {
            Expr::Nested(inner) => e = inner,
            Expr::Cast { expr, .. } | Expr::Collate { expr, .. } => e = expr,
            Expr::Identifier(i) => return Some((None, i.value.as_str())),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                let n = parts.len();
                return Some((
                    Some(parts[n - 2].value.as_str()),
                    parts[n - 1].value.as_str(),
                ));
            }
            _ => return None,
        }
    }
}

/// Whether `e` refers to any column (so comparing with it is a join, not a constant); looks
/// through the common shapes only, without recursion.
fn has_column(e: &Expr) -> bool {
    let mut stack = vec![e];
    while let Some(e) = stack.pop() {
        match e {
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => return true,
            Expr::Nested(x) | Expr::Cast { expr: x, .. } | Expr::Collate { expr: x, .. } => {
                stack.push(x)
            }
            Expr::UnaryOp { expr, .. } => stack.push(expr),
            Expr::BinaryOp { left, right, .. } => {
                stack.push(left);
                stack.push(right);
            }
            Expr::Function(f) => {
                if let FunctionArguments::List(l) = &f.args {
                    for a in &l.args {
                        if let FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) = a {
                            stack.push(x);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    false
}

#[derive(Clone, Copy)]
enum Use {
    Eq,
    Join,
    Range,
}

impl Statement {
    fn new_select(&mut self, parent: Option<usize>) -> usize {
        self.selects.push(Select {
            parent,
            ..Select::default()
        });
        self.selects.len() - 1
    }

    fn bind(&mut self, s: usize, name: String, table: Option<String>) {
        self.bindings.push(Binding {
            name,
            table,
            ..Binding::default()
        });
        let b = self.bindings.len() - 1;
        self.selects[s].bindings.push(b);
    }

    fn from<'a>(&mut self, s: usize, from: &'a [TableWithJoins], work: &mut Vec<Work<'a>>) {
        let mut factors: Vec<&'a TableFactor> = Vec::new();
        for twj in from {
            factors.push(&twj.relation);
            for j in &twj.joins {
                factors.push(&j.relation);
                use sqlparser::ast::JoinConstraint as C;
                use sqlparser::ast::JoinOperator as O;
                let c = match &j.join_operator {
                    O::Join(c)
                    | O::Inner(c)
                    | O::Left(c)
                    | O::LeftOuter(c)
                    | O::Right(c)
                    | O::RightOuter(c)
                    | O::FullOuter(c)
                    | O::CrossJoin(c)
                    | O::Semi(c)
                    | O::LeftSemi(c)
                    | O::RightSemi(c)
                    | O::Anti(c)
                    | O::LeftAnti(c)
                    | O::RightAnti(c) => Some(c),
                    _ => None,
                };
                if let Some(C::On(e)) = c {
                    work.push(Work::Filter(e, s));
                }
            }
        }
        while let Some(f) = factors.pop() {
            match f {
                TableFactor::Table { name, alias, .. } => {
                    let table = last_part(name);
                    let bname = alias
                        .as_ref()
                        .map(|a| a.name.value.clone())
                        .unwrap_or_else(|| table.clone());
                    let is_cte = self.ctes.iter().any(|c| c.eq_ignore_ascii_case(&table));
                    self.bind(s, bname, (!is_cte).then_some(table));
                }
                TableFactor::Derived {
                    subquery, alias, ..
                } => {
                    let name = alias
                        .as_ref()
                        .map(|a| a.name.value.clone())
                        .unwrap_or_default();
                    self.bind(s, name, None);
                    work.push(Work::Query(subquery, Some(s)));
                }
                TableFactor::NestedJoin {
                    table_with_joins, ..
                } => {
                    factors.push(&table_with_joins.relation);
                    for j in &table_with_joins.joins {
                        factors.push(&j.relation);
                        if let sqlparser::ast::JoinOperator::Join(
                            sqlparser::ast::JoinConstraint::On(e),
                        )
                        | sqlparser::ast::JoinOperator::Inner(
                            sqlparser::ast::JoinConstraint::On(e),
                        )
                        | sqlparser::ast::JoinOperator::Left(
                            sqlparser::ast::JoinConstraint::On(e),
                        )
                        | sqlparser::ast::JoinOperator::LeftOuter(
                            sqlparser::ast::JoinConstraint::On(e),
                        ) = &j.join_operator
                        {
                            work.push(Work::Filter(e, s));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn query<'a>(&mut self, q: &'a Query, parent: Option<usize>, work: &mut Vec<Work<'a>>) {
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                self.ctes.push(cte.alias.name.value.clone());
                work.push(Work::Query(&cte.query, parent));
            }
        }
        let mut bodies: Vec<&'a SetExpr> = vec![&q.body];
        let mut single: Option<usize> = None;
        let mut compound = false;
        while let Some(b) = bodies.pop() {
            match b {
                SetExpr::Select(sel) => {
                    let s = self.new_select(parent);
                    single = Some(s);
                    self.from(s, &sel.from, work);
                    if let Some(e) = &sel.selection {
                        work.push(Work::Filter(e, s));
                    }
                    if let Some(e) = &sel.having {
                        work.push(Work::Subqueries(e, s));
                    }
                    for item in &sel.projection {
                        if let SelectItem::UnnamedExpr(e)
                        | SelectItem::ExprWithAlias { expr: e, .. } = item
                        {
                            work.push(Work::Subqueries(e, s));
                        }
                    }
                    if let GroupByExpr::Expressions(exprs, _) = &sel.group_by
                        && !exprs.is_empty()
                    {
                        let terms = exprs.iter().map(|e| (e, false)).collect::<Vec<_>>();
                        self.selects[s].group_by =
                            Some(self.sort_terms(s, &terms, &sel.projection));
                    }
                    if matches!(sel.distinct, Some(Distinct::Distinct)) {
                        let mut terms = Vec::new();
                        let mut plain = true;
                        for item in &sel.projection {
                            match item {
                                SelectItem::UnnamedExpr(e)
                                | SelectItem::ExprWithAlias { expr: e, .. } => {
                                    terms.push((e, false))
                                }
                                _ => plain = false,
                            }
                        }
                        if plain {
                            self.selects[s].distinct =
                                Some(self.sort_terms(s, &terms, &sel.projection));
                        }
                    }
                }
                SetExpr::SetOperation { left, right, .. } => {
                    compound = true;
                    bodies.push(right);
                    bodies.push(left);
                }
                SetExpr::Query(inner) => work.push(Work::Query(inner, parent)),
                _ => {}
            }
        }
        if let (Some(s), false, Some(ob)) = (single, compound, &q.order_by)
            && let OrderByKind::Expressions(exprs) = &ob.kind
        {
            let terms = exprs
                .iter()
                .map(|o| (&o.expr, matches!(o.options.sort, Some(OrderBySort::Desc))))
                .collect::<Vec<_>>();
            let projection = match &*q.body {
                SetExpr::Select(sel) => sel.projection.as_slice(),
                _ => &[],
            };
            self.selects[s].order_by = Some(self.sort_terms(s, &terms, projection));
        }
    }

    /// Sort terms resolved to columns; empty when one is not a plain column of a binding.
    fn sort_terms(
        &self,
        s: usize,
        terms: &[(&Expr, bool)],
        projection: &[SelectItem],
    ) -> Vec<SortTerm> {
        let mut out = Vec::new();
        for &(e, desc) in terms {
            // `ORDER BY n` where n is an output alias of a plain column.
            let mut e = e;
            if let Expr::Identifier(i) = e {
                for item in projection {
                    if let SelectItem::ExprWithAlias { expr, alias } = item
                        && alias.value.eq_ignore_ascii_case(&i.value)
                    {
                        e = expr;
                    }
                }
            }
            let Some((qual, col)) = column(e) else {
                return Vec::new();
            };
            let Some(b) = self.resolve(s, qual) else {
                return Vec::new();
            };
            out.push(SortTerm {
                binding: b,
                column: col.to_owned(),
                desc,
            });
        }
        out
    }

    /// The binding a column with this qualifier belongs to, seen from select `s`.
    fn resolve(&self, s: usize, qual: Option<&str>) -> Option<usize> {
        match qual {
            None => {
                let b = &self.selects[s].bindings;
                (b.len() == 1).then(|| b[0])
            }
            Some(q) => {
                let mut cur = Some(s);
                while let Some(c) = cur {
                    if let Some(&b) = self.selects[c]
                        .bindings
                        .iter()
                        .find(|&&b| self.bindings[b].name.eq_ignore_ascii_case(q))
                    {
                        return Some(b);
                    }
                    cur = self.selects[c].parent;
                }
                None
            }
        }
    }

    fn record(&mut self, s: usize, e: &Expr, how: Use) {
        if let Some((qual, col)) = column(e)
            && let Some(b) = self.resolve(s, qual)
        {
            let b = &mut self.bindings[b];
            match how {
                Use::Eq => push_unique(&mut b.eq, col),
                Use::Join => push_unique(&mut b.join, col),
                Use::Range => push_unique(&mut b.range, col),
            }
        }
    }

    fn filter<'a>(&mut self, e: &'a Expr, s: usize, work: &mut Vec<Work<'a>>) {
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Nested(x) => stack.push(x),
                Expr::BinaryOp { left, op, right } => match op {
                    BinaryOperator::And => {
                        stack.push(right);
                        stack.push(left);
                    }
                    BinaryOperator::Or => {
                        work.push(Work::Subqueries(left, s));
                        work.push(Work::Subqueries(right, s));
                    }
                    BinaryOperator::Eq
                    | BinaryOperator::Lt
                    | BinaryOperator::LtEq
                    | BinaryOperator::Gt
                    | BinaryOperator::GtEq => {
                        let eq = matches!(op, BinaryOperator::Eq);
                        let (lc0, rc0) = (column(left).is_some(), column(right).is_some());
                        // SQLite reads an unqualified double-quoted name that is no column as a
                        // string (`status = "paid"`): compared with a column, it is taken for
                        // that value, never recorded as a column (it may hold a secret).
                        let (dq_l, dq_r) = (double_quoted(left), double_quoted(right));
                        let (lc, rc) = (lc0 && !(dq_l && rc0), rc0 && !(dq_r && lc0));
                        let l_has = has_column(left) && !(dq_l && rc0);
                        let r_has = has_column(right) && !(dq_r && lc0);
                        if lc && rc {
                            let how = if eq { Use::Join } else { Use::Range };
                            self.record(s, left, how);
                            self.record(s, right, how);
                        } else if lc {
                            let how = match (eq, r_has) {
                                (true, false) => Use::Eq,
                                (true, true) => Use::Join,
                                (false, _) => Use::Range,
                            };
                            self.record(s, left, how);
                        } else if rc {
                            let how = match (eq, l_has) {
                                (true, false) => Use::Eq,
                                (true, true) => Use::Join,
                                (false, _) => Use::Range,
                            };
                            self.record(s, right, how);
                        }
                        work.push(Work::Subqueries(left, s));
                        work.push(Work::Subqueries(right, s));
                    }
                    _ => work.push(Work::Subqueries(e, s)),
                },
                Expr::IsNull(x) => self.record(s, x, Use::Eq),
                Expr::Between {
                    expr,
                    negated: false,
                    ..
                } => self.record(s, expr, Use::Range),
                Expr::Like {
                    expr,
                    negated: false,
                    ..
                }
                | Expr::ILike {
                    expr,
                    negated: false,
                    ..
                } => self.record(s, expr, Use::Range),
                Expr::In {
                    expr,
                    target,
                    negated,
                    ..
                } => {
                    if !negated {
                        self.record(s, expr, Use::Eq);
                    }
                    if let InTarget::Subquery(q) = target {
                        work.push(Work::Query(q, Some(s)));
                    }
                }
                other => work.push(Work::Subqueries(other, s)),
            }
        }
    }

    fn subqueries<'a>(&mut self, e: &'a Expr, s: usize, work: &mut Vec<Work<'a>>) {
        let mut stack = vec![e];
        while let Some(e) = stack.pop() {
            match e {
                Expr::Subquery(q) | Expr::Exists { subquery: q, .. } => {
                    work.push(Work::Query(q, Some(s)))
                }
                Expr::In { expr, target, .. } => {
                    stack.push(expr);
                    match target {
                        InTarget::Subquery(q) => work.push(Work::Query(q, Some(s))),
                        InTarget::List(l) => stack.extend(l),
                        _ => {}
                    }
                }
                Expr::Nested(x)
                | Expr::UnaryOp { expr: x, .. }
                | Expr::Cast { expr: x, .. }
                | Expr::Collate { expr: x, .. }
                | Expr::IsNull(x)
                | Expr::IsNotNull(x) => stack.push(x),
                Expr::BinaryOp { left, right, .. } => {
                    stack.push(left);
                    stack.push(right);
                }
                Expr::Between {
                    expr, low, high, ..
                } => {
                    stack.push(expr);
                    stack.push(low);
                    stack.push(high);
                }
                Expr::Function(f) => {
                    if let FunctionArguments::List(l) = &f.args {
                        for a in &l.args {
                            if let FunctionArg::Unnamed(FunctionArgExpr::Expr(x)) = a {
                                stack.push(x);
                            }
                        }
                    }
                }
                Expr::Case {
                    operand,
                    conditions,
                    else_result,
                    ..
                } => {
                    stack.extend(operand.as_deref());
                    for c in conditions {
                        stack.push(&c.condition);
                        stack.push(&c.result);
                    }
                    stack.extend(else_result.as_deref());
                }
                _ => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sqlite::sql::Clause;

    #[test]
    fn predicates_by_alias_and_table() {
        let st = analyse(
            "SELECT u.id, (SELECT count(*) FROM orders o WHERE o.user_id = u.id AND o.status = 'paid') \
             FROM users u WHERE u.country = 'DE' AND u.created_at > '2024-01-01'",
        )
        .unwrap();
        let u = st.predicates("u");
        assert_eq!(u.table.as_deref(), Some("users"));
        assert_eq!(u.eq, ["country"]);
        assert_eq!(u.range, ["created_at"]);
        let o = st.predicates("o");
        assert_eq!(o.table.as_deref(), Some("orders"));
        assert_eq!(o.eq, ["status"]);
        assert_eq!(o.join, ["user_id"]);
        assert_eq!(o.index_columns(), ["status", "user_id"]);
        assert_eq!(st.table_of("u"), Some("users"));
        assert!(!st.is_subquery("u"));
    }

    #[test]
    fn unqualified_columns_need_one_table() {
        let st = analyse("SELECT * FROM users WHERE email = 'x' OR id = 3").unwrap();
        assert!(st.predicates("users").index_columns().is_empty());
        let st = analyse("SELECT * FROM a, b WHERE x = 1").unwrap();
        assert!(st.predicates("a").index_columns().is_empty());
        assert!(st.predicates("b").index_columns().is_empty());
        let st =
            analyse("SELECT * FROM users WHERE email IN ('a', 'b') AND name LIKE 'x%'").unwrap();
        assert_eq!(st.predicates("users").index_columns(), ["email", "name"]);
    }

    #[test]
    fn sort_clauses() {
        let st =
            analyse("SELECT * FROM orders WHERE user_id = 3 ORDER BY placed_at DESC, id").unwrap();
        assert_eq!(
            st.sort_index(&["orders"], Clause::OrderBy),
            Some((
                "orders".into(),
                vec!["user_id".into(), "placed_at DESC".into(), "id".into()]
            ))
        );
        let st = analyse("SELECT status, count(*) FROM orders GROUP BY status").unwrap();
        assert_eq!(
            st.sort_index(&["orders"], Clause::GroupBy),
            Some(("orders".into(), vec!["status".into()]))
        );
        let st = analyse("SELECT DISTINCT country FROM users").unwrap();
        assert_eq!(
            st.sort_index(&["users"], Clause::Distinct),
            Some(("users".into(), vec!["country".into()]))
        );
        assert!(analyse("SELECT FROM WHERE (").is_none());
    }

    #[test]
    fn derived_tables_and_ctes_are_not_tables() {
        let st = analyse(
            "WITH spend AS (SELECT user_id FROM orders) SELECT * FROM (SELECT 1 AS a) AS x \
             JOIN spend sp ON sp.user_id = x.a",
        )
        .unwrap();
        assert!(st.is_subquery("x"));
        assert!(st.is_subquery("sp"));
        assert_eq!(st.table_of("orders"), Some("orders"));
    }
}
