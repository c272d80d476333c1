-- wrk script: single-event POST /v1/track with a random user id; WRITE_KEY from the environment (default bench-key, the BenchStack key).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Write-Key"] = os.getenv("WRITE_KEY") or "bench-key"
local counter = 0
request = function()
  counter = counter + 1
  local body = string.format('{"event":"Bench Event","userId":"user-%d","properties":{"plan":"pro","price":12.5,"n":%d},"context":{"library":{"name":"wrk","version":"1"}}}', math.random(1, 100000), counter)
  return wrk.format(nil, nil, nil, body)
end
