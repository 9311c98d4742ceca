-- One REST-channel turn per request: /greet from one of NSENDERS conversations in turn.
local n = tonumber(os.getenv("NSENDERS") or "256")
local i = 0
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
request = function()
  i = (i + 1) % n
  return wrk.format(nil, nil, nil, '{"sender": "bench-' .. i .. '", "message": "/greet"}')
end
