-- wrk script: serving-api queries of one event_count series, picked at random from SERIES
-- (comma-separated event names, URL-encoded) for every request.
--   KIND=point  the last minute of the series (one window)
--   KIND=range  the last 60 minutes of the series (up to 60 windows)
-- READ_TOKEN, when set, is sent as a Bearer token.
local kind = os.getenv("KIND") or "point"
local span = kind == "range" and 3600 or 60
local series = {}
for name in string.gmatch(os.getenv("SERIES") or "", "[^,]+") do
  series[#series + 1] = name
end
if #series == 0 then
  error("SERIES is empty: pass the event names of the series to query, e.g. SERIES=Signed%20Up,Page%20Viewed")
end
local token = os.getenv("READ_TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end

local function iso(t)
  return os.date("!%Y-%m-%dT%H:%M:%SZ", t)
end

request = function()
  local now = os.time()
  local path = "/v1/metrics/event_count?event=" .. series[math.random(#series)]
      .. "&from=" .. iso(now - span) .. "&to=" .. iso(now)
  return wrk.format("GET", path)
end

