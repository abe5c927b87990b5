#!/usr/bin/env bash
# Seed corpora for the fuzz targets, from the repository's own fixtures (nothing generated is
# committed: fuzz/corpus is ignored). Run from anywhere; writes fuzz/corpus/<target>/.
#
#   plan_json    query-guard-explain/src/testdata/*.json (real PostgreSQL 12–18 plans)
#   plan_text    the same plans as text, and the psql pastes (aligned, wrapped, border=2, …)
#   plan_sqlite  testdata/sqlite/*.tree.txt and *.rows.txt, headers stripped and the target's
#                first byte chosen (even: tree, odd: rows)
#   analyze      query-guard-cli/tests/fixtures/analyze/*.csv (PostgreSQL 12, 13, 17, 18), each
#                also as a JSON array, JSON lines, psql aligned and expanded output, and the
#                before/after pair as a diff (BEFORE NUL AFTER)
#   report       the schema-2 report file of docs/report-schema.md, and a minimal one
#   fingerprint  statements of the analyze fixtures, one per file, dialect byte first
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/fuzz/corpus"
testdata="$root/query-guard-explain/src/testdata"
dumps="$root/query-guard-cli/tests/fixtures/analyze"
mkdir -p "$out"/{plan_json,plan_text,plan_sqlite,analyze,report,fingerprint}

cp "$testdata"/*.json "$out/plan_json/"
cp "$testdata"/*.txt "$out/plan_text/"

python3 - "$testdata/sqlite" "$out/plan_sqlite" <<'EOF'
import pathlib, sys
src, dst = map(pathlib.Path, sys.argv[1:])
for f in sorted(src.glob("*.txt")):
    lines = f.read_text().splitlines(keepends=True)
    if f.name.endswith(".tree.txt"):
        first, skip = b"\x00", "QUERY PLAN"
    elif f.name.endswith(".rows.txt"):
        first, skip = b"\x01", "id|parent"
    else:
        continue
    if lines and lines[0].startswith(skip):
        lines = lines[1:]
    (dst / f.name).write_bytes(first + "".join(lines).encode())
EOF

python3 - "$dumps" "$out/analyze" "$out/fingerprint" <<'EOF'
import csv, io, json, pathlib, sys
src, dst, fp = map(pathlib.Path, sys.argv[1:])

def aligned(header, rows):
    # psql's default output: right-aligned numbers are fine left-aligned too; `+` continues.
    cells = [[(v if v is not None else "") for v in r] for r in rows]
    width = [max([len(h)] + [max((len(l) for l in c[i].split("\n")), default=0) for c in cells]) for i, h in enumerate(header)]
    out = [" " + " | ".join(h.ljust(w) for h, w in zip(header, width))]
    out.append("-" + "-+-".join("-" * w for w in width) + "-")
    for c in cells:
        parts = [v.split("\n") for v in c]
        for k in range(max(len(p) for p in parts)):
            seg = []
            for i, p in enumerate(parts):
                text = p[k] if k < len(p) else ""
                mark = "+" if k + 1 < len(p) else " "
                seg.append(text.ljust(width[i]) + mark)
            out.append(" " + "| ".join(seg).rstrip())
    out.append(f"({len(rows)} rows)")
    return "\n".join(out) + "\n"

def expanded(header, rows):
    w = max(len(h) for h in header)
    out = []
    for n, r in enumerate(rows, 1):
        out.append(f"-[ RECORD {n} ]" + "-" * 10)
        for h, v in zip(header, r):
            lines = (v or "").split("\n")
            out.append(f"{h.ljust(w)} | {lines[0]}" + (" +" if len(lines) > 1 else ""))
            for k, l in enumerate(lines[1:], 2):
                out.append(f"{' ' * w} | {l}" + (" +" if k < len(lines) else ""))
    return "\n".join(out) + "\n"

def number(v):
    try:
        return int(v)
    except ValueError:
        try:
            return float(v)
        except ValueError:
            return v

statements = set()
for f in sorted(src.glob("*.csv")):
    text = f.read_text()
    (dst / f.name).write_text(text)
    rows = list(csv.reader(io.StringIO(text)))
    header, body = rows[0], rows[1:]
    objs = [{h: (None if v == "" else number(v) if h != "query" else v) for h, v in zip(header, r)} for r in body]
    (dst / (f.stem + ".json")).write_text(json.dumps(objs))
    (dst / (f.stem + ".jsonl")).write_text("".join(json.dumps(o) + "\n" for o in objs))
    (dst / (f.stem + ".aligned.txt")).write_text(aligned(header, body))
    (dst / (f.stem + ".expanded.txt")).write_text(expanded(header, body))
    statements.update(o["query"] for o in objs if o.get("query"))
before, after = src / "before.csv", src / "after.csv"
if before.exists() and after.exists():
    (dst / "diff.bin").write_bytes(before.read_bytes() + b"\x00" + after.read_bytes())
for i, q in enumerate(sorted(statements)):
    (fp / f"q{i:03}").write_bytes(bytes([i % 4]) + q.encode())
EOF

python3 - "$root/docs/report-schema.md" "$out/report" <<'EOF'
import json, pathlib, re, sys
doc, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
for n, block in enumerate(re.findall(r"```json\n(.*?)```", doc.read_text(), re.S)):
    try:
        value = json.loads(block)
    except ValueError:
        continue
    if isinstance(value, dict) and value.get("schema_version") == 2:
        (dst / f"docs-{n}.json").write_text(block)
(dst / "minimal.json").write_text(
    '{"schema_version": 2, "run_id": "r", "finished_unix_ms": 1, "scope": "s", "db_ms": 1.5}\n'
)
EOF

for t in "$out"/*; do
    printf '%-12s %4d files %6s\n' "$(basename "$t")" "$(ls "$t" | wc -l)" "$(du -sh "$t" | cut -f1)"
done
