-- wrk script: KServe V2 infer requests for the Iris model, cycling over a few fixed rows.
--
--   wrk -t1 -c64 -d15s --timeout 5s -s bench/lua/v2-infer.lua \
--       http://127.0.0.1:9000/v2/models/iris/infer -- input
--
-- The argument after "--" is the input tensor name (read from the server's model metadata by the
-- caller, never assumed). The URL's path is the infer path.
--
-- All request strings are built once per thread in init(): request() only hands back the next
-- one, because Lua work per request would make wrk, not the server, the bottleneck. No response()
-- function is defined for the same reason (defining one makes wrk parse every response in Lua).
--
-- done() prints one machine-readable line that bench/model-server-bench.sh parses:
--   BENCH_RESULT requests=N duration_s=S rps=R p50_ms=A p90_ms=B p99_ms=C max_ms=D
--                non2xx=E connect=F read=G write=H timeout=I

-- A few rows from model-server/data/iris.csv, all three species, the same for every server.
local rows = {
  "5.1,3.5,1.4,0.2", -- setosa
  "4.9,3.0,1.4,0.2", -- setosa
  "7.0,3.2,4.7,1.4", -- versicolor
  "6.4,3.2,4.5,1.5", -- versicolor
  "6.3,3.3,6.0,2.5", -- virginica
  "5.8,2.7,5.1,1.9", -- virginica
  "5.7,2.8,4.1,1.3", -- versicolor
  "6.7,3.0,5.2,2.3", -- virginica
}

local requests_cache = {}
local next_index = 1
local threads_created = 0

-- Runs in the main Lua state once per thread; thread_id becomes a global in that thread's state.
function setup(thread)
  threads_created = threads_created + 1
  thread:set("thread_id", threads_created)
end

function init(args)
  local input_name = args[1] or "input"
  for i, row in ipairs(rows) do
    local body = '{"inputs":[{"name":"' .. input_name .. '","shape":[1,4],"datatype":"FP32","data":['
        .. row .. ']}]}'
    -- A fresh header table per request: wrk.format adds Host and Content-Length to it.
    requests_cache[i] = wrk.format("POST", wrk.path, { ["Content-Type"] = "application/json" }, body)
  end
  -- Threads start at different rows so that they do not all send the same row at once.
  next_index = ((thread_id or 1) - 1) % #requests_cache + 1
end

function request()
  local r = requests_cache[next_index]
  next_index = next_index % #requests_cache + 1
  return r
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  -- wrk's latency statistics are in microseconds.
  io.write(string.format(
      "BENCH_RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f"
          .. " non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000,
      e.status, e.connect, e.read, e.write, e.timeout))
end
