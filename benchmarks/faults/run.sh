#!/usr/bin/env bash
# Fault injection for the ETL engine (issue 14): kill -9 at random points of `tipw run --all`, then a normal run, and the
# final warehouse compared with an uninterrupted load (row count and content hash of every dw table); then a catalogue
# of bad inputs, each expected to end with a clear message or a reject/flag, and never with a stack trace.
#
#   benchmarks/faults/run.sh [--trials 20] [--scale 1] [--seed 42] [--from 2005-01-01] [--to 2007-12-31] [--work /tmp/faults-run]
#                            [--out FILE] [--no-build] [--no-catalogue] [--dll PATH/tipw.dll]
# (the hotline opens on 2006-03-13: a window that ends before it has no drop files to kill or to corrupt)
#
# Needs: bash, coreutils, the .NET SDK. Prints trials, mismatches, runs left running and rows lost; with --out, writes
# the same report (plus the machine: CPUs, memory, load) to FILE.
set -euo pipefail

trials=20 scale=1 seed=42 from=2005-01-01 to=2007-12-31 work=/tmp/faults-run out="" build=1 catalogue=1 dll=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --trials) trials=$2; shift 2 ;;
    --scale) scale=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --from) from=$2; shift 2 ;;
    --to) to=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --no-catalogue) catalogue=0; shift ;;
    --dll) dll=$2; build=0; shift 2 ;;
    *) echo "usage: $0 [--trials N] [--scale S] [--seed N] [--from DATE] [--to DATE] [--work DIR] [--out FILE] [--no-build] [--no-catalogue] [--dll PATH/tipw.dll]" >&2; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/../.." && pwd)
dll=${dll:-"$repo/src/TipWarehouse.Cli/bin/Release/net10.0/tipw.dll"}
if [[ $build == 1 ]]; then
  dotnet build "$repo/src/TipWarehouse.Cli" -c Release -v q -nologo >&2
fi
export TIPW_PIPELINES_DIR="$repo/pipelines"
tipw() { dotnet "$dll" "$@"; }
report=$(mktemp)
say() { echo "$*" | tee -a "$report"; }
rm -rf "$work"; mkdir -p "$work"

# ---------------------------------------------------------------- the world and the uninterrupted reference
base="$work/base"
tipw init --home "$base" >/dev/null 2>&1
tipw simulate --home "$base" --scale "$scale" --seed "$seed" --from "$from" --to "$to" >/dev/null 2>&1

fresh() { # fresh HOME: a copy of the initialized, unloaded base (sources hard-linked: runs only read them)
  mkdir -p "$1"
  cp -a "$base"/. "$1"/ 2>/dev/null || true
  rm -rf "$1/sources"; cp -al "$base/sources" "$1/sources"
}

# Row count and content hash of every dw table. Surrogate keys, batch ids and load timestamps are left out: an
# interrupted load uses other batch ids and sequence values, and SCD2 valid_from is the time of the load.
hash_sql=""
hash_dw() {
  if [[ -z $hash_sql ]]; then
    local tables
    tables=$(tipw query --home "$1" --format csv "SELECT table_name FROM information_schema.tables WHERE table_schema = 'dw' AND table_type = 'BASE TABLE' ORDER BY 1" 2>/dev/null | tail -n +2 | tr -d '\r"')
    local parts=()
    for t in $tables; do
      parts+=("SELECT '$t' AS table_name, count(*) AS n, coalesce(md5(string_agg(CAST(r AS VARCHAR), chr(10) ORDER BY CAST(r AS VARCHAR))), '') AS h FROM (SELECT COLUMNS(c -> NOT regexp_matches(c, '(_key|batch_id|^valid_from|^valid_to|_at|^is_current)\$') OR regexp_matches(c, '(date_key|source_updated_at)\$')) FROM dw.$t) AS r")
    done
    hash_sql=$(IFS=$'\n'; echo "${parts[*]}" | sed '2,$s/^/UNION ALL /')" ORDER BY 1"
  fi
  tipw query --home "$1" --format csv "$hash_sql" 2>/dev/null | tr -d '\r'
}
scalar() { tipw query --home "$1" --format csv "$2" 2>/dev/null | tail -n 1 | tr -d '\r"'; }

say "# Fault injection: kill -9 during tipw run --all, then tipw run --all; bad-input catalogue"
say "date_utc: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
say "machine: $(uname -srm); $(nproc) CPU(s) ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM; load average at start $(cut -d' ' -f1-3 /proc/loadavg)"
if [[ $trials -gt 0 ]]; then
ref="$work/reference"; fresh "$ref"
start=$(date +%s.%N)
tipw run --all --home "$ref" >"$work/reference.log" 2>&1 || true
ref_seconds=$(echo "$(date +%s.%N) - $start" | bc)
hash_dw "$ref" >"$work/reference.hash"
ref_rows=$(awk -F, 'NR>1 {s+=$2} END {print s}' "$work/reference.hash")

say "world: scale $scale, seed $seed, $from..$to; reference run --all: ${ref_seconds%.*} s, $ref_rows dw rows in $(($(wc -l <"$work/reference.hash") - 1)) tables"

# Control: a second uninterrupted load must hash the same (else the hash holds something non-deterministic).
ctl="$work/control"; fresh "$ctl"; tipw run --all --home "$ctl" >/dev/null 2>&1 || true
if diff -q <(hash_dw "$ctl") "$work/reference.hash" >/dev/null; then say "control (second uninterrupted load): equal"; else say "control (second uninterrupted load): DIFFERENT (the comparison is not meaningful)"; fi
rm -rf "$ctl"

# ---------------------------------------------------------------- kill -9 trials
mismatches=0 left_running=0 lost=0 killed=0
RANDOM=$seed
for ((i = 1; i <= trials; i++)); do
  t="$work/trial-$i"; fresh "$t"
  # A kill point uniform over the reference run's duration (in ms).
  delay_ms=$((RANDOM * 32768 + RANDOM)); delay_ms=$((delay_ms % ($(printf '%.0f' "$(echo "$ref_seconds * 1000" | bc)") + 1)))
  dotnet "$dll" run --all --home "$t" >"$t.killed.log" 2>&1 &
  pid=$!
  sleep "$(echo "scale=3; $delay_ms / 1000" | bc)"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); state="killed at ${delay_ms} ms"; else state="finished before the kill at ${delay_ms} ms"; fi
  wait "$pid" 2>/dev/null || true
  running_after_kill=$(scalar "$t" "SELECT count(*) FROM meta.pipeline_run WHERE status = 'running'" || echo "?")
  tipw run --all --home "$t" >"$t.resumed.log" 2>&1 || true
  running=$(scalar "$t" "SELECT count(*) FROM meta.pipeline_run WHERE status = 'running'")
  [[ $running =~ ^[0-9]+$ ]] || running=1  # unreadable: counted as left running
  hash_dw "$t" >"$t.hash"
  rows=$(awk -F, 'NR>1 {s+=$2} END {print s}' "$t.hash")
  diffs=$(diff "$work/reference.hash" "$t.hash" | grep -c '^>' || true)
  [[ $diffs -gt 0 ]] && mismatches=$((mismatches + 1))
  left_running=$((left_running + running))
  [[ $rows -lt $ref_rows ]] && lost=$((lost + ref_rows - rows))
  say "trial $i: $state; running after the kill $running_after_kill, after the next run $running; dw tables differing $diffs; rows $rows/$ref_rows"
  [[ $diffs -eq 0 ]] && rm -rf "$t"
done

say "trials: $trials (killed mid-run: $killed)"
say "mismatches: $mismatches"
say "runs left running: $left_running"
say "rows lost: $lost"
fi

# ---------------------------------------------------------------- bad-input catalogue
if [[ $catalogue == 1 ]]; then
bad_ok=0 bad_total=0
bad() { # NAME "PIPELINES" EXPECT(grep -E over the run's output, rejects, flags and run errors); the setup is function setup_NAME
  local name=$1 pipelines=$2 expect=$3
  local h="$work/bad-$name"; fresh "$h"
  rm -rf "$h/sources"; cp -a "$base/sources" "$h/sources"
  if ! ( cd "$h/sources" && "setup_$name" ); then say "bad input $name: SETUP FAILED"; bad_total=$((bad_total + 1)); return 0; fi
  local rc=0
  # shellcheck disable=SC2086
  tipw run $pipelines --home "$h" >"$h.log" 2>&1 || rc=$?
  tipw query --home "$h" --format csv "SELECT reason_code, reason FROM meta.reject UNION ALL SELECT flag, detail FROM meta.data_quality_flag UNION ALL SELECT status, error FROM meta.pipeline_run WHERE error IS NOT NULL" >>"$h.log" 2>&1 || true
  bad_total=$((bad_total + 1))
  local verdict="FAIL"
  if grep -Eq "$expect" "$h.log" && ! grep -q "   at TipWarehouse" "$h.log"; then verdict="ok"; bad_ok=$((bad_ok + 1)); rm -rf "$h" "$h.log"; fi
  say "bad input $name: $verdict (exit $rc; expected /$expect/)"
}
sql() { python3 -c 'import sqlite3, sys; c = sqlite3.connect("police/pnp_trata.sqlite"); c.executescript(sys.argv[1]); c.commit()' "$1"; }
first_csv() { find hotline -name '*.csv' | sort | head -1; }
last_jsonl() { find prosecution -name '*.jsonl' | sort | tail -1; }
setup_garbage_updated_at() { sql "UPDATE personas SET updated_at = 'yesterday' WHERE rowid = 5; UPDATE personas SET updated_at = '2099-01-01 00:00:00' WHERE rowid = 6;"; }
setup_missing_column() { sql "ALTER TABLE personas DROP COLUMN dni;"; }
setup_extra_column() { sql "ALTER TABLE personas ADD COLUMN apodo TEXT;"; }
setup_huge_sequence() { local f; f=$(last_jsonl); tail -n 1 "$f" | sed -E 's/"secuencia":[0-9]+/"secuencia":99999999/; s/"tipo_evento":"[A-Z_]+"/"tipo_evento":"NO_SUCH"/' >>"$f"; }
setup_symlink() { ln -s /etc/passwd hotline/llamadas_20071230x.csv; }
setup_utf16() { local f; f=$(first_csv); iconv -f latin1 -t utf-16 "$f" >"$f.tmp" && mv "$f.tmp" "$f"; }
setup_binary() { local f; f=$(first_csv); head -c 20000 /dev/urandom >"$f"; }
setup_corrupt_sqlite() { head -c 4096 /dev/urandom >police/pnp_trata.sqlite; }
setup_bad_json() { local f; f=$(last_jsonl); echo '{"secuencia": 5, oops' >>"$f"; }
setup_conflicting_duplicate() { local f; f=$(first_csv); sed -n 2p "$f" | awk -F';' -v OFS=';' '{ $3 = "999"; print }' >>"$f"; }
P="police_stations police_reports police_persons"
bad garbage_updated_at "$P" "future_watermark|invalid_datetime"
bad missing_column "$P" "schema drift.*dni"
bad extra_column "$P" "schema_extra_column"
bad huge_sequence "police_stations police_reports prosecution" "rule_values"
bad symlink "police_stations hotline" "symlink_outside_source"
bad utf16 "police_stations hotline" "wrong_encoding"
bad binary "police_stations hotline" "wrong_encoding|unreadable|wrong_delimiter"
bad corrupt_sqlite "police_stations police_reports" "pnp_trata.sqlite.*(corrupt|not a database)"
bad bad_json "police_stations police_reports prosecution" "invalid JSON"
bad conflicting_duplicate "police_stations hotline" "conflicting_duplicate"
say "bad inputs handled: $bad_ok/$bad_total"

# A reader holding the warehouse while a run starts: the run waits (bounded) instead of failing.
h="$work/reader"; fresh "$h"
tipw query --home "$h" "SELECT count(*) FROM range(3000000000) t(i) WHERE i % 7 = 8" >/dev/null 2>&1 &
reader=$!
sleep 2
rc=0; tipw run police_stations --home "$h" >"$h.log" 2>&1 || rc=$?
wait "$reader" 2>/dev/null || true
say "reader holding the warehouse: run exit $rc ($(grep -Eo 'the warehouse is busy[^.]*' "$h.log" | head -1 || true))"
fi

if [[ -n $out ]]; then mkdir -p "$(dirname "$out")"; cp "$report" "$out"; fi
rm -f "$report"
