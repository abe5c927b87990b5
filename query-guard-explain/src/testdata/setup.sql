-- Tables for the pg_text fixtures (run by capture.sh; PostgreSQL 15).
DROP TABLE IF EXISTS qg_txt_items, qg_txt_orders, qg_txt_customers CASCADE;
CREATE TABLE qg_txt_customers (id int PRIMARY KEY, name text NOT NULL, region int NOT NULL)
  WITH (autovacuum_enabled = false);
INSERT INTO qg_txt_customers SELECT g, 'c' || g, g % 10 FROM generate_series(1, 2000) g;
CREATE TABLE qg_txt_orders (id int PRIMARY KEY, customer_id int NOT NULL REFERENCES qg_txt_customers (id),
  status text NOT NULL, amount numeric(10,2) NOT NULL, note text NOT NULL)
  WITH (autovacuum_enabled = false);
INSERT INTO qg_txt_orders SELECT g, (g * 7) % 2000 + 1, (ARRAY['new','paid','shipped'])[g % 3 + 1],
  (g % 1000) / 10.0, md5(g::text) FROM generate_series(1, 50000) g;
CREATE INDEX qg_txt_orders_customer_idx ON qg_txt_orders (customer_id);
CREATE INDEX qg_txt_orders_amount_idx ON qg_txt_orders (amount);
CREATE TABLE qg_txt_items (id int PRIMARY KEY, order_id int NOT NULL, sku int NOT NULL)
  WITH (autovacuum_enabled = false);
INSERT INTO qg_txt_items SELECT g, (g - 1) / 2 + 1, g % 50 FROM generate_series(1, 20000) g;
VACUUM ANALYZE qg_txt_customers;
VACUUM ANALYZE qg_txt_orders;
ANALYZE qg_txt_items;
