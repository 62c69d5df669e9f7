#!/usr/bin/env bash
# A load under 'tipw serve --web' while the API answers 20 requests a second (loopback only, bounded).
# Usage: benchmarks/serve-under-load.sh [MACHINE_NAME] [SECONDS=30] [PORT=18481]
# Builds a fresh home under /tmp, simulates the sources, starts serve --web, triggers every load pipeline, and sends
# 20 requests/s for SECONDS (at most 20*SECONDS requests) to /api/reports/monthly, /api/runs and a published report.
# Writes benchmarks/results/serve-under-load-MACHINE.md with latency percentiles, status counts and the run outcome.
set -euo pipefail
machine="${1:-$(hostname)}"
seconds="${2:-30}"
port="${3:-18481}"
(( seconds >= 1 && seconds <= 300 )) || { echo "SECONDS must be 1..300" >&2; exit 2; }
repo="$(cd "$(dirname "$0")/.." && pwd)"
home="$(mktemp -d /tmp/tipw-serve-bench.XXXXXX)"
url="http://127.0.0.1:${port}"
dll="$repo/src/TipWarehouse.Cli/bin/Release/net10.0/tipw.dll"
[[ -n "${TIPW_BENCH_NO_BUILD:-}" && -f "$dll" ]] || dotnet build "$repo/src/TipWarehouse.Cli" -c Release -v quiet >&2
tipw() { dotnet "$dll" "$@"; }

tipw simulate --home "$home" >&2
tipw init --home "$home" >&2
printf 'bench-password-1\n' | tipw users add bench --role admin --home "$home" >&2
token="$(tipw users token bench --home "$home")"

# dotnet itself in the background (not a shell function), so $! is the server's pid and SIGTERM reaches it.
dotnet "$dll" serve --web "127.0.0.1:${port}" --home "$home" 2>"$home/serve.log" &
serve_pid=$!
for _ in $(seq 1 240); do [[ -f "$home/serve.json" ]] && break; sleep 0.5; done
[[ -f "$home/serve.json" ]] || { echo "serve did not start; see $home/serve.log" >&2; kill -TERM "$serve_pid"; exit 1; }

# The load: every pipeline that needs no trained model, in dependency order (the scheduler runs them one at a time).
for pipeline in police_stations hotline police_reports police_persons police_arrests prosecution linkage; do
  tipw schedule trigger "$pipeline" --home "$home" >&2
done

latencies="$home/latencies.txt"
: >"$latencies"
bodies="$home/bodies"
mkdir -p "$bodies"
paths=("/api/reports/monthly" "/api/runs?last=5" "/api/reports/regions?publish=true")
total=$(( seconds * 20 ))
started=$EPOCHREALTIME
for i in $(seq 0 $(( total - 1 ))); do
  path="${paths[$(( i % 3 ))]}"
  curl -s -o "$bodies/$i" --max-time 60 -H "Authorization: Bearer $token" -w "%{http_code} %{time_total} $i $path\n" "$url$path" >>"$latencies" &
  # Paced on the clock (request i is due at start + i/20 s), so a slow fork does not lower the rate for good.
  due=$(( ${started/./} + (i + 1) * 50000 )); now=${EPOCHREALTIME/./}
  if (( due > now )); then printf -v pause '0.%06d' $(( due - now )); sleep "$pause"; fi
done
sent=$(( (${EPOCHREALTIME/./} - ${started/./}) / 1000000 ))
wait $(jobs -p | grep -v "^${serve_pid}$") 2>/dev/null || true

# Wait (bounded, 10 min) until every triggered pipeline has finished (the schedule's last_status), then SIGTERM.
for _ in $(seq 1 600); do
  finished="$(curl -s -H "Authorization: Bearer $token" "$url/api/schedule" | grep -cE '"last_status": "(succeeded|failed)"' || true)"
  (( finished >= 7 )) && break
  sleep 1
done
runs="$(curl -s -H "Authorization: Bearer $token" "$url/api/runs")"
kill -TERM "$serve_pid"
set +e; wait "$serve_pid"; serve_exit=$?; set -e

count=$(wc -l <"$latencies")
ok=$(grep -c '^200 ' "$latencies" || true)
# Every status with its count; the first answer of each non-200 status goes to stderr with its path.
statuses=$(cut -d' ' -f1 "$latencies" | sort | uniq -c | awk '{printf "%s%s: %s", sep, $2, $1; sep=", "}')
for code in $(cut -d' ' -f1 "$latencies" | sort -u | grep -v '^200$'); do
  read -r _ _ index path < <(grep -m1 "^$code " "$latencies")
  echo "HTTP $code, e.g. request $index $path: $(head -c 400 "$bodies/$index")" >&2
done
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int((p/100)*NR+0.999999); if (i<1) i=1; if (i>NR) i=NR; printf "%.0f", a[i]*1000}'; }
p50=$(cut -d' ' -f2 "$latencies" | pct 50); p90=$(cut -d' ' -f2 "$latencies" | pct 90)
p99=$(cut -d' ' -f2 "$latencies" | pct 99); pmax=$(cut -d' ' -f2 "$latencies" | pct 100)
succeeded=$(echo "$runs" | grep -c '"status": "succeeded"' || true)
failed=$(echo "$runs" | grep -c '"status": "failed"' || true)
out="$repo/benchmarks/results/serve-under-load-${machine}.md"
{
  echo "# tipw serve --web under load: ${machine}"
  echo
  echo "Measured $(date -u +%Y-%m-%dT%H:%MZ) by benchmarks/serve-under-load.sh (${seconds} s, 20 requests/s, loopback)."
  echo "Machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //'), $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end."
  echo
  echo "The load: first load of a freshly simulated home (7 pipelines triggered through the running server) while"
  echo "requests cycle through /api/reports/monthly, /api/runs?last=5 and /api/reports/regions?publish=true."
  echo
  echo "Statuses: ${statuses}."
  echo
  echo "| requests | HTTP 200 | sent in | p50 ms | p90 ms | p99 ms | max ms | runs+batches succeeded | runs+batches failed | serve exit on SIGTERM |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  echo "| ${count} | ${ok} | ${sent} s | ${p50} | ${p90} | ${p99} | ${pmax} | ${succeeded} | ${failed} | ${serve_exit} |"
} >"$out"
cat "$out"
if (( failed > 0 )); then
  # A failed run is the benchmark's finding: keep the home and show the runs.
  echo "$runs" >&2
  echo "home kept for inspection: $home" >&2
else
  rm -rf "$home"
fi
