-- wrk script: each connection waits between requests so that all of them together send about
-- RATE requests per second (wrk has no rate option; wrk2 is not in Debian). Latency is then
-- measured at that offered load rather than at saturation.
local rate = tonumber(os.getenv("RATE") or "5000")
local connections = tonumber(os.getenv("CONNECTIONS") or "64")
function delay()
  return math.floor(connections * 1000 / rate)
end
