-- journal_post.lua — wrk script for bench/http_append.sh: every request is
-- POST /api/v1/journal with a bearer token and a small JSON body, on
-- keep-alive connections. The token comes from the environment (TRUCE_TOKEN).
-- At the end it prints one machine-readable line, BENCH key=value ..., that
-- http_append.sh turns into the figures.

local token = os.getenv("TRUCE_TOKEN") or ""

wrk.method = "POST"
wrk.path = "/api/v1/journal"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. token
wrk.body = '{"text":"Benchmark entry (EXERCISE): crossing quiet, convoy passed the checkpoint","labels":["org:CMCC"]}'

function done(summary, latency, requests)
   local e = summary.errors
   io.write(string.format(
      "BENCH requests=%d duration_us=%d non2xx=%d connect=%d read=%d write=%d timeout=%d " ..
      "p50_us=%d p90_us=%d p99_us=%d max_us=%d mean_us=%.0f\n",
      summary.requests, summary.duration, e.status, e.connect, e.read, e.write, e.timeout,
      latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, latency.mean))
end
