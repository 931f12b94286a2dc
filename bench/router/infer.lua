-- POST one KServe V2 Iris row; the consumer header cycles over 1000 consumers so the canary split is exercised.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
-- INPUT_NAME: the model's input tensor name (GET /v2/models/iris); the nginx backend ignores it.
local input = os.getenv("INPUT_NAME") or "input"
wrk.body = '{"inputs":[{"name":"' .. input .. '","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}'
-- TOKEN: a bearer JWT sent on every request (router-auth); the others ignore it.
local token = os.getenv("TOKEN")
if token and token ~= "" then
  wrk.headers["Authorization"] = "Bearer " .. token
end
local n = 0
request = function()
  n = n + 1
  wrk.headers["x-infergate-consumer"] = "consumer-" .. (n % 1000)
  return wrk.format()
end
-- PACE_MS: each connection waits this long before its next request, which holds the load under
-- saturation (64 connections / (PACE_MS + latency)), so that p99 shows what the hop adds, not queueing.
local pace = tonumber(os.getenv("PACE_MS") or "")
if pace and pace > 0 then
  delay = function()
    return pace
  end
end
