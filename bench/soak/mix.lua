-- The soak's mixed load, one request per call, cycling: GET a tracker, POST an event, a REST
-- webhook turn (/greet, answered by a rule), over NSENDERS conversations per wrk thread. A steady
-- state, as a live bot sees it: each conversation gets ROUNDS such triples, then the thread moves
-- on to fresh conversations (the store grows, no conversation grows without end). Paced by
-- delay(): each connection waits DELAY_MS between requests, so the rate is about
-- connections * 1000 / DELAY_MS.
local n = tonumber(os.getenv("NSENDERS") or "200")
local rounds = tonumber(os.getenv("ROUNDS") or "10")
local run = os.getenv("RUN_ID") or "0"
local pause = tonumber(os.getenv("DELAY_MS") or "16")
local i = 0
local thread_id = 0
setup = function(thread)
  thread:set("id", thread_id)
  thread_id = thread_id + 1
end
init = function()
  math.randomseed(id + 1)
end
delay = function()
  return pause
end
request = function()
  i = i + 1
  local conv = math.floor(i / 3)
  local sender = "soak-" .. run .. "-" .. id .. "-" .. (conv % n) .. "-" .. math.floor(conv / n / rounds)
  local kind = i % 3
  if kind == 0 then
    return wrk.format("GET", "/conversations/" .. sender .. "/tracker?include_events=AFTER_RESTART")
  elseif kind == 1 then
    return wrk.format("POST", "/conversations/" .. sender .. "/tracker/events",
      {["Content-Type"] = "application/json"},
      '[{"event": "slot", "name": "soak", "value": ' .. i .. '}]')
  else
    return wrk.format("POST", "/webhooks/rest/webhook", {["Content-Type"] = "application/json"},
      '{"sender": "' .. sender .. '", "message": "/greet"}')
  end
end
