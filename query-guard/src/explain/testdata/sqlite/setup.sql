-- query-guard `explain` fixtures: SQLite setup (deterministic, idempotent).
--   sqlite3 /tmp/qg_ex.db < setup.sql
-- No ANALYZE is run: plans come from SQLite's default estimates, which are
-- stable across builds of the same version (3.40.1 here).
DROP TABLE IF EXISTS order_items;
DROP TABLE IF EXISTS orders;
DROP TABLE IF EXISTS events;
DROP TABLE IF EXISTS users;

-- users: INTEGER PRIMARY KEY (rowid alias), NO index on email.
CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL,
    country    TEXT NOT NULL,
    created_at TEXT NOT NULL
);

-- orders: indexed on user_id, not on status or total.
CREATE TABLE orders (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL REFERENCES users (id),
    status   TEXT NOT NULL,
    total    REAL NOT NULL,
    placed_at TEXT NOT NULL
);
CREATE INDEX orders_user_id_idx ON orders (user_id);

-- order_items: no index at all besides the rowid.
CREATE TABLE order_items (
    id       INTEGER PRIMARY KEY,
    order_id INTEGER NOT NULL,
    sku      TEXT NOT NULL,
    qty      INTEGER NOT NULL
);

-- events: references users by email (no index on either side).
CREATE TABLE events (
    id         INTEGER PRIMARY KEY,
    user_email TEXT NOT NULL,
    kind       TEXT NOT NULL
);

WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 300)
INSERT INTO users (id, email, name, country, created_at)
SELECT n, 'user' || n || '@example.com', 'User ' || n,
       CASE n % 4 WHEN 0 THEN 'DE' WHEN 1 THEN 'FR' WHEN 2 THEN 'US' ELSE 'JP' END,
       date('2024-01-01', '+' || n || ' days')
FROM g;

WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 900)
INSERT INTO orders (id, user_id, status, total, placed_at)
SELECT n, (n * 7) % 300 + 1,
       CASE n % 3 WHEN 0 THEN 'new' WHEN 1 THEN 'paid' ELSE 'shipped' END,
       (n * 37) % 1000 / 10.0,
       date('2024-01-01', '+' || (n % 365) || ' days')
FROM g;

WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 1800)
INSERT INTO order_items (id, order_id, sku, qty)
SELECT n, (n - 1) / 2 + 1, 'SKU-' || (n * 13 % 97), n % 5 + 1
FROM g;

WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 600)
INSERT INTO events (id, user_email, kind)
SELECT n, 'user' || ((n * 11) % 300 + 1) || '@example.com',
       CASE n % 2 WHEN 0 THEN 'login' ELSE 'logout' END
FROM g;
