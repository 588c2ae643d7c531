-- wrk script for bench/bench_booking.py: replays a plan of requests and counts response statuses.
--
-- The plan file (PLAN in the environment) holds one request per line: "METHOD<TAB>PATH<TAB>TOKEN<TAB>BODY"
-- (TOKEN and BODY may be empty). Requests are taken in order and the plan wraps around when it runs
-- out. Run with one wrk thread (-t1) so the whole plan is one sequence. done() prints one line,
-- "STATUS_COUNTS <json>", which the benchmark reads.

local plan = {}
local cursor = 0
counts = {}  -- global: done() reads it from the thread's state with thread:get
local threads = {}

function setup(thread)
  threads[#threads + 1] = thread
end

local function split(line)
  local out, start = {}, 1
  while true do
    local i = string.find(line, "\t", start, true)
    if not i then
      out[#out + 1] = string.sub(line, start)
      return out
    end
    out[#out + 1] = string.sub(line, start, i - 1)
    start = i + 1
  end
end

function init(args)
  for line in io.lines(os.getenv("PLAN")) do
    local f = split(line)
    local headers = { ["Connection"] = "close" }
    if f[3] ~= "" then headers["Authorization"] = "Bearer " .. f[3] end
    local body = nil
    if f[4] ~= nil and f[4] ~= "" then
      body = f[4]
      headers["Content-Type"] = "application/json"
    end
    plan[#plan + 1] = wrk.format(f[1], f[2], headers, body)
  end
end

function request()
  cursor = cursor % #plan + 1
  return plan[cursor]
end

function response(status, headers, body)
  counts[status] = (counts[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for status, n in pairs(thread:get("counts")) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do parts[#parts + 1] = string.format('"%d": %d', status, n) end
  io.write("STATUS_COUNTS {" .. table.concat(parts, ", ") .. "}\n")
  io.write(string.format("LATENCY_MS p50=%.2f p95=%.2f p99=%.2f\n", latency:percentile(50) / 1000,
    latency:percentile(95) / 1000, latency:percentile(99) / 1000))
end
