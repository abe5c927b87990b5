#!/usr/bin/env python3
"""Generate statements.sql, the fingerprint benchmark corpus (deterministic: fixed seed).

Run from this directory: python3 generate.py > statements.sql

Sections start with `-- @dialect NAME`; every other non-empty line is one statement. The corpus
mixes what query-guard sees in practice: SeaORM / diesel / sqlx shaped PostgreSQL statements
(quoted, parameterised, joins), inserts (single and multi-row), updates, deletes, upserts,
transaction control, pg_stat_statements texts ($n everywhere, truncated), and MySQL / SQLite
statements with ? placeholders and backquotes.
"""
import random

rnd = random.Random(20261124)
TABLES = {
    "users": ["id", "email", "name", "created_at", "updated_at", "org_id", "active", "role"],
    "orders": ["id", "user_id", "total", "status", "created_at", "shipped_at", "currency"],
    "order_items": ["id", "order_id", "product_id", "quantity", "unit_price"],
    "products": ["id", "sku", "name", "price", "category_id", "stock", "description"],
    "categories": ["id", "name", "parent_id", "slug"],
    "organizations": ["id", "name", "plan", "created_at"],
    "sessions": ["id", "user_id", "token", "expires_at", "ip"],
    "audit_log": ["id", "actor_id", "action", "entity", "entity_id", "payload", "at"],
    "comments": ["id", "post_id", "author_id", "body", "created_at"],
    "posts": ["id", "author_id", "title", "body", "published", "created_at"],
}
FKS = [("orders", "user_id", "users"), ("order_items", "order_id", "orders"),
       ("order_items", "product_id", "products"), ("products", "category_id", "categories"),
       ("users", "org_id", "organizations"), ("sessions", "user_id", "users"),
       ("comments", "post_id", "posts"), ("posts", "author_id", "users"),
       ("comments", "author_id", "users")]


def cols(t, k=None):
    c = TABLES[t]
    k = k or rnd.randint(2, len(c))
    return rnd.sample(c, k)


def lit():
    r = rnd.random()
    if r < 0.4:
        return str(rnd.randint(1, 100000))
    if r < 0.8:
        return "'" + rnd.choice(["alice@example.com", "pending", "shipped", "EUR", "admin", "it''s", "x"]) + "'"
    if r < 0.9:
        return rnd.choice(["true", "false", "NULL"])
    return str(round(rnd.uniform(0, 1000), 2))


def seaorm_select(ph):
    t = rnd.choice(list(TABLES))
    cs = ", ".join(f'"{t}"."{c}"' for c in cols(t))
    where = " AND ".join(f'"{t}"."{c}" = {ph()}' for c in cols(t, rnd.randint(1, 2)))
    s = f'SELECT {cs} FROM "{t}" WHERE {where}'
    if rnd.random() < 0.5:
        s += f' ORDER BY "{t}"."id" ASC LIMIT {ph()}'
    return s


def join_select(ph):
    a, fk, b = rnd.choice(FKS)
    ca = ", ".join(f"{a[0]}.{c}" for c in cols(a, 3))
    cb = ", ".join(f"{b[0]}1.{c}" for c in cols(b, 2))
    s = f"SELECT {ca}, {cb} FROM {a} {a[0]} INNER JOIN {b} {b[0]}1 ON {b[0]}1.id = {a[0]}.{fk} WHERE {a[0]}.{rnd.choice(TABLES[a])} = {ph()}"
    if rnd.random() < 0.5:
        s += f" AND {b[0]}1.id IN ({', '.join(ph() for _ in range(rnd.randint(1, 12)))})"
    if rnd.random() < 0.4:
        s += f" ORDER BY {a[0]}.id DESC LIMIT {ph()} OFFSET {ph()}"
    return s


def agg_select(ph):
    a, fk, b = rnd.choice(FKS)
    return (f"SELECT {b}.id, count({a}.id) AS n, max({a}.id) FROM {b} LEFT JOIN {a} ON {a}.{fk} = {b}.id "
            f"WHERE {b}.id > {ph()} GROUP BY {b}.id HAVING count({a}.id) > {ph()} ORDER BY n DESC LIMIT {ph()}")


def cte_select(ph):
    a, fk, b = rnd.choice(FKS)
    return (f"WITH recent AS (SELECT * FROM {a} WHERE id > {ph()} ORDER BY id DESC LIMIT {ph()}) "
            f"SELECT r.*, row_number() OVER (PARTITION BY r.{fk} ORDER BY r.id) FROM recent r JOIN {b} ON {b}.id = r.{fk}")


def insert(ph, rows=1, quote='"'):
    t = rnd.choice(list(TABLES))
    cs = [c for c in TABLES[t] if c != "id"]
    cs = cs[: rnd.randint(2, len(cs))]
    collist = ", ".join(f"{quote}{c}{quote}" for c in cs)
    vals = ", ".join("(" + ", ".join(ph() for _ in cs) + ")" for _ in range(rows))
    s = f"INSERT INTO {quote}{t}{quote} ({collist}) VALUES {vals}"
    if rnd.random() < 0.6 and quote == '"':
        s += f' RETURNING {quote}id{quote}'
    return s


def upsert(ph):
    t = rnd.choice(list(TABLES))
    cs = [c for c in TABLES[t] if c != "id"][:3]
    sets = ", ".join(f"{c} = EXCLUDED.{c}" for c in cs[1:])
    return (f"INSERT INTO {t} ({', '.join(cs)}) VALUES ({', '.join(ph() for _ in cs)}) "
            f"ON CONFLICT ({cs[0]}) DO UPDATE SET {sets}")


def update(ph, quote='"'):
    t = rnd.choice(list(TABLES))
    cs = [c for c in cols(t, rnd.randint(1, 4)) if c != "id"] or ["updated_at"]
    sets = ", ".join(f"{quote}{c}{quote} = {ph()}" for c in cs)
    return f"UPDATE {quote}{t}{quote} SET {sets} WHERE {quote}{t}{quote}.{quote}id{quote} = {ph()}"


def delete(ph):
    t = rnd.choice(list(TABLES))
    c = rnd.choice(TABLES[t])
    return f"DELETE FROM {t} WHERE {c} = {ph()} AND id < {ph()}"


def literal_version(f):
    return f(lit)


def dollar():
    n = [0]

    def ph():
        n[0] += 1
        return f"${n[0]}"
    return ph


def question():
    return lambda: "?"


out = []
pg = []
for _ in range(70):
    pg.append(seaorm_select(dollar()))
for _ in range(70):
    pg.append(join_select(dollar()))
for _ in range(25):
    pg.append(agg_select(dollar()))
for _ in range(20):
    pg.append(cte_select(dollar()))
for _ in range(35):
    pg.append(insert(dollar()))
for _ in range(15):
    pg.append(insert(dollar(), rows=rnd.randint(2, 20)))
for _ in range(15):
    pg.append(upsert(dollar()))
for _ in range(35):
    pg.append(update(dollar()))
for _ in range(20):
    pg.append(delete(dollar()))
# Diesel / hand-written SQL with literals inlined (debug query text), and sqlcommenter tags.
for _ in range(40):
    s = rnd.choice([seaorm_select, join_select, update, delete])(lit)
    if rnd.random() < 0.3:
        s += " /*controller='orders',action='index',traceparent='00-%032x-%016x-01'*/" % (rnd.getrandbits(128), rnd.getrandbits(64))
    pg.append(s)
pg += ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT sqlx_savepoint_1", "RELEASE SAVEPOINT sqlx_savepoint_1",
       "SELECT typname, typtype, typcategory, typrelid, typelem, typbasetype FROM pg_catalog.pg_type WHERE oid = $1",
       "SELECT $1::regtype::oid",
       "SELECT version, checksum, execution_time FROM _sqlx_migrations WHERE success = false ORDER BY version LIMIT 1"] * 2
# pg_stat_statements texts: $n everywhere, INTERVAL $1, some truncated.
pgss = []
for _ in range(80):
    s = rnd.choice([join_select, agg_select, cte_select, update, delete, seaorm_select])(dollar())
    if rnd.random() < 0.3:
        s = s.replace(" WHERE ", " WHERE created_at > now() - INTERVAL $99 AND ", 1)
    if rnd.random() < 0.2:
        s = s[: rnd.randint(len(s) // 2, len(s) - 1)]
    pgss.append(s.replace('"', ""))
mysql = []
for _ in range(40):
    mysql.append(seaorm_select(question()).replace('"', "`"))
for _ in range(25):
    mysql.append(insert(question(), rows=rnd.randint(1, 5), quote="`"))
for _ in range(20):
    mysql.append(update(question(), quote="`"))
sqlite = []
for _ in range(25):
    sqlite.append(join_select(question()))
for _ in range(15):
    sqlite.append(insert(question(), quote='"'))

print("-- Fingerprint benchmark corpus, generated by generate.py (do not edit by hand).")
for name, stmts in [("postgres", pg), ("postgres", pgss), ("mysql", mysql), ("sqlite", sqlite)]:
    print(f"-- @dialect {name}")
    for s in stmts:
        print(s)
