-- wrk script for bench/http/run.sh: POST /conversations/{id}/tracker/events with one slot event,
-- cycling over N conversation ids PREFIX00 .. PREFIX(N-1), so that concurrent requests mostly hit
-- different conversations (per-conversation locking is exercised, not the only thing measured).
-- Arguments (after `--`): N (64), PREFIX ("bench-post-"), QUERY appended to the path ("" or
-- "?token=..."). Each wrk thread starts at a different offset of the cycle.
local dir = debug.getinfo(1, "S").source:match("^@(.*/)") or "./"
dofile(dir .. "report.lua")

local threads = 0
function setup(thread)
  thread:set("thread_index", threads)
  threads = threads + 1
end

local n, prefix, query, next_id
local headers = { ["Content-Type"] = "application/json" }
local body = '{"event":"slot","name":"cuisine","value":"italian"}'

function init(args)
  n = tonumber(args[1] or "64")
  prefix = args[2] or "bench-post-"
  query = args[3] or ""
  next_id = ((thread_index or 0) * 17) % n
end

function request()
  local path = string.format("/conversations/%s%02d/tracker/events%s", prefix, next_id, query)
  next_id = (next_id + 1) % n
  return wrk.format("POST", path, headers, body)
end
