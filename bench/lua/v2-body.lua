-- wrk script: the same prepared KServe V2 infer body, read from a file, on every request.
--
--   wrk -t1 -c8 -d10s --timeout 30s -s bench/lua/v2-body.lua URL -- BODY_FILE [HEADER_LENGTH]
--
-- With HEADER_LENGTH the body is a binary tensor data extension request (a JSON header of that many
-- bytes, then the tensors' bytes): Content-Type application/octet-stream and
-- Inference-Header-Content-Length are sent. Without it the body is JSON. Lua strings hold any bytes,
-- so the binary body goes out unchanged. The request is formatted once, in init().
--
-- done() prints the BENCH_RESULT line of bench/lua/v2-infer.lua.

local request_string

function init(args)
  local file = assert(io.open(args[1], "rb"))
  local body = file:read("*a")
  file:close()
  local headers
  if args[2] and args[2] ~= "" then
    headers = { ["Content-Type"] = "application/octet-stream", ["Inference-Header-Content-Length"] = args[2] }
  else
    headers = { ["Content-Type"] = "application/json" }
  end
  request_string = wrk.format("POST", wrk.path, headers, body)
end

function request()
  return request_string
end

function done(summary, latency, requests)
  local e = summary.errors
  local seconds = summary.duration / 1e6
  io.write(string.format(
      "BENCH_RESULT requests=%d duration_s=%.3f rps=%.1f p50_ms=%.3f p90_ms=%.3f p99_ms=%.3f max_ms=%.3f"
          .. " non2xx=%d connect=%d read=%d write=%d timeout=%d\n",
      summary.requests, seconds, summary.requests / seconds,
      latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000,
      latency.max / 1000,
      e.status, e.connect, e.read, e.write, e.timeout))
end
