-- wrk script for bench/http/run.sh: plain requests to the URL given on the command line; at the
-- end prints one machine-readable line that run.sh parses (latencies in microseconds):
--   BENCH requests duration_us bytes p50 p90 p99 max err_connect err_read err_write err_status err_timeout
-- err_status counts responses other than 2xx/3xx. post_events.lua loads this file for done().
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %.0f %.0f %.0f %.0f %d %d %d %d %d\n",
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
    e.connect, e.read, e.write, e.status, e.timeout))
end
