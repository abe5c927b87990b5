#!/usr/bin/env bash
# Regenerates the pg_text fixtures: each case is captured in text and in JSON from the same
# server (PostgreSQL 15), so the tests can check that both readers give the same model.
# Usage: PGHOST=127.0.0.1 PGUSER=postgres PGDATABASE=test ./capture.sh
set -euo pipefail
cd "$(dirname "$0")"
export PGHOST="${PGHOST:-127.0.0.1}" PGUSER="${PGUSER:-postgres}" PGDATABASE="${PGDATABASE:-test}"
psql -X -q -v ON_ERROR_STOP=1 -f setup.sql 2>/dev/null

# Parallel plans differ from run to run (whether the leader took rows): after a new capture,
# check the pair test; `./capture.sh pasted` captures only the psql table formats below.
ONLY="${1:-all}"

# case NAME "EXPLAIN OPTIONS" "SET ...;" "STATEMENT" [rollback]
case_() {
  local name="$1" opts="$2" set="$3" sql="$4"
  [ "$ONLY" = pasted ] && return 0
  local pre="BEGIN; $set" post="ROLLBACK;"
  for fmt in txt json; do
    local o="$opts"
    [ "$fmt" = json ] && o="${opts:+$opts, }FORMAT JSON"
    local e="EXPLAIN ($o) $sql;"
    [ -z "$o" ] && e="EXPLAIN $sql;"
    # A warm-up run first, so both captures see the same caches.
    psql -X -q -At -v ON_ERROR_STOP=1 -c "$pre $e $post" >/dev/null
    psql -X -q -At -v ON_ERROR_STOP=1 -c "$pre $e $post" > "$name.$fmt"
  done
}
AB="ANALYZE, BUFFERS"
case_ seq_filter "$AB" "" "SELECT * FROM qg_txt_orders WHERE status = 'new' AND amount > 50"
case_ update_verbose "ANALYZE, BUFFERS, VERBOSE, SETTINGS, WAL" "SET LOCAL work_mem = '8MB'; SET LOCAL random_page_cost = 1.1;" \
  "UPDATE qg_txt_orders o SET customer_id = o.customer_id + 1 FROM qg_txt_customers c WHERE o.id < 20 AND c.id = o.customer_id"
case_ insert_trigger "ANALYZE" "" "INSERT INTO qg_txt_orders SELECT 100000 + g, g, 'new', 1, 'x' FROM generate_series(1, 5) g"
case_ costs_off "ANALYZE, COSTS OFF" "" "SELECT count(*) FROM qg_txt_orders WHERE customer_id = 5"
case_ timing_off "ANALYZE, TIMING OFF" "" "SELECT o.id FROM qg_txt_orders o JOIN qg_txt_customers c ON c.id = o.customer_id WHERE c.region = 3 LIMIT 10"
case_ no_analyze "" "" "SELECT * FROM qg_txt_orders o LEFT JOIN qg_txt_items i ON i.order_id = o.id WHERE o.amount < 10 ORDER BY o.id DESC"
case_ verbose_plain "VERBOSE, COSTS OFF" "" "SELECT c.name, (SELECT max(amount) FROM qg_txt_orders o WHERE o.customer_id = c.id) FROM qg_txt_customers c WHERE c.id < 5"
case_ subplans "$AB" "" "WITH big AS MATERIALIZED (SELECT customer_id, sum(amount) AS total FROM qg_txt_orders GROUP BY customer_id) SELECT c.name, (SELECT count(*) FROM qg_txt_items i WHERE i.sku = c.region) FROM big b JOIN qg_txt_customers c ON c.id = b.customer_id WHERE b.total > (SELECT avg(amount) * 20 FROM qg_txt_orders) ORDER BY 1 LIMIT 5"
case_ parallel "$AB" "SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0; SET LOCAL min_parallel_table_scan_size = 0; SET LOCAL max_parallel_workers_per_gather = 2;" \
  "SELECT status, count(*), sum(amount) FROM qg_txt_orders WHERE note LIKE 'a%' GROUP BY status ORDER BY status"
case_ parallel_hash "$AB" "SET LOCAL parallel_setup_cost = 0; SET LOCAL parallel_tuple_cost = 0; SET LOCAL min_parallel_table_scan_size = 0;" \
  "SELECT count(*) FROM qg_txt_orders o JOIN qg_txt_items i ON i.order_id = o.id WHERE i.sku < 10"
case_ memoize "$AB" "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off;" \
  "SELECT count(*) FROM qg_txt_items i JOIN qg_txt_customers c ON c.id = i.sku + 1"
case_ hashagg_spill "$AB" "SET LOCAL work_mem = '64kB'; SET LOCAL enable_sort = off;" \
  "SELECT note, count(*) FROM qg_txt_orders GROUP BY note"
case_ sort_spill "$AB" "SET LOCAL work_mem = '64kB';" "SELECT * FROM qg_txt_orders ORDER BY note"
case_ hash_batches "$AB" "SET LOCAL work_mem = '64kB';" \
  "SELECT o.id, i.sku FROM qg_txt_items i JOIN qg_txt_orders o ON o.id = i.order_id"
case_ bitmap_lossy "$AB" "SET LOCAL work_mem = '64kB'; SET LOCAL enable_indexscan = off; SET LOCAL enable_seqscan = off;" \
  "SELECT count(*) FROM qg_txt_orders WHERE amount BETWEEN 10 AND 60 OR customer_id = 3"
case_ never_executed "$AB" "" "SELECT * FROM qg_txt_customers c JOIN qg_txt_orders o ON o.customer_id = c.id WHERE c.id = -1"
case_ jit "$AB" "SET LOCAL jit_above_cost = 0; SET LOCAL jit_inline_above_cost = 0; SET LOCAL jit_optimize_above_cost = 0;" \
  "SELECT sum(amount * 2) FROM qg_txt_orders WHERE customer_id > 10"
case_ joins "$AB" "SET LOCAL enable_hashjoin = off;" \
  "SELECT * FROM qg_txt_customers c WHERE NOT EXISTS (SELECT 1 FROM qg_txt_orders o WHERE o.customer_id = c.id AND o.amount > 99) AND EXISTS (SELECT 1 FROM qg_txt_items i WHERE i.sku = c.region) AND c.id < 100"
case_ full_join "$AB" "" "SELECT * FROM qg_txt_customers c FULL JOIN (SELECT * FROM qg_txt_items WHERE id < 50) i ON i.sku = c.id"
case_ setops "$AB" "" "(SELECT customer_id FROM qg_txt_orders WHERE id < 100 EXCEPT SELECT id FROM qg_txt_customers WHERE id < 50) UNION ALL (SELECT region FROM qg_txt_customers INTERSECT ALL SELECT sku FROM qg_txt_items)"
case_ setop_sorted "$AB" "SET LOCAL enable_hashagg = off;" "SELECT customer_id FROM qg_txt_orders WHERE id < 100 INTERSECT SELECT id FROM qg_txt_customers"
case_ index_only "$AB" "" "SELECT customer_id FROM qg_txt_orders WHERE customer_id BETWEEN 10 AND 20 ORDER BY customer_id DESC"
case_ scans "$AB" "" "SELECT * FROM generate_series(1, 3) g, (VALUES (1, 'a'), (2, 'b')) v(x, y), (SELECT id FROM qg_txt_customers OFFSET 1990) s WHERE s.id % 3 = g"
case_ incremental "$AB" "SET LOCAL enable_seqscan = off;" "SELECT * FROM qg_txt_orders WHERE id < 2000 ORDER BY id, customer_id LIMIT 100"
case_ delete_returning "ANALYZE, VERBOSE, BUFFERS" "" "DELETE FROM qg_txt_items WHERE id < 5 RETURNING *"

# psql's table formats around one text plan (the parallel case: it has Worker lines), and a
# JSON plan in aligned mode with border 2.
P=(psql -X -P pager=off -v ON_ERROR_STOP=1)
PAR="SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
Q="EXPLAIN (ANALYZE, BUFFERS) SELECT status, count(*), sum(amount) FROM qg_txt_orders WHERE note LIKE 'a%' GROUP BY status ORDER BY status"
run() { "${P[@]}" -q -c "$PAR" "$@" -c "$Q"; }
run -P format=wrapped -P columns=60 > pasted_wrapped.txt
run -P format=wrapped -P columns=50 -P linestyle=unicode > pasted_wrapped_unicode.txt
run -P format=wrapped -P columns=70 -P border=2 > pasted_wrapped_border2.txt
run -P format=wrapped -P columns=64 -P border=2 -P linestyle=unicode > pasted_wrapped_border2_unicode.txt
run -P format=wrapped -P columns=55 -P border=0 > pasted_wrapped_border0.txt
run -P border=2 > pasted_border2.txt
run -P format=unaligned > pasted_unaligned.txt
run > pasted_aligned.txt
"${P[@]}" -P border=2 -c "EXPLAIN (FORMAT JSON) SELECT * FROM qg_txt_orders WHERE id < 10" > pasted_json_border2.txt
"${P[@]}" -P format=wrapped -P columns=50 -c "EXPLAIN (FORMAT JSON) SELECT * FROM qg_txt_orders WHERE note > 'a literal long enough to wrap'" > pasted_json_wrapped.txt
