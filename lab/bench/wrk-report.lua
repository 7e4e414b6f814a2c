-- wrk's script for the benchmark's throughput rounds: WRK_PIPELINE requests written at once on each
-- connection (wrk counts them and waits for as many answers), and one JSON line at the end for wrk.ts.
--
-- Latency comes from wrk's own histogram of batch latencies (one sample when a connection's whole batch is
-- answered), but not from its percentiles. Before the script sees the histogram, wrk "corrects" it for
-- coordinated omission: for every sample n it adds one at n - e, n - 2e, ... down to e, where e is the run
-- time over (answers / connections), the interval it expects between one connection's requests. Pipelined,
-- answers count every request of a batch, so e is WRK_PIPELINE times too short: a batch that waited 600 ms
-- gains some 350 invented samples, and under 100 connections x 10 pipelined wrk's p99 was 360 to 820 ms where
-- the batches' own was 28 to 33 ms. (It also adds samples below the histogram's minimum, which its percentile
-- walk skips: then it reports 0.) The correction is undone here exactly: each added sample at m came with
-- one at m + e, so for m > e the recorded count is count[m] - corrected[m + e].
local ffi = require("ffi")

-- wrk 4's `stats` (src/stats.h); the Lua object `done` receives holds a pointer to it.
ffi.cdef([[
typedef struct {
  uint64_t count;
  uint64_t limit;
  uint64_t min;
  uint64_t max;
  uint64_t data[?];
} wrk_stats;
]])

local depth = tonumber(os.getenv("WRK_PIPELINE") or "1")
local connections = tonumber(os.getenv("WRK_CONNECTIONS") or "")
-- The histogram printed for pooling rounds: bucket i holds the latencies from growth^i to growth^(i+1) us.
local growth = tonumber(os.getenv("WRK_BUCKET_GROWTH") or "1.01")

init = function()
  local requests = {}
  for i = 1, depth do requests[i] = wrk.format(nil) end
  batch = table.concat(requests)
end

request = function()
  return batch
end

-- The batches' latencies as recorded, in µs: a list of {value, count}, ascending, and the number of samples.
local function recorded(summary, latency)
  local stats = ffi.cast("wrk_stats**", latency)[0]
  local max = tonumber(stats.max)
  local per_connection = math.floor(summary.requests / connections)
  local expected = per_connection > 0 and math.floor(summary.duration / per_connection) or max + 1
  local at = function(m) return m <= max and tonumber(stats.data[m]) or 0 end
  local values, total = {}, 0
  for m = 0, max do
    local count = at(m)
    if m > expected then count = count - at(m + expected) end
    if count < 0 then return nil, "a negative count at " .. m .. " us" end
    if count > 0 then
      values[#values + 1] = { m, count }
      total = total + count
    end
  end
  return values, total
end

local function percentile(values, total, p)
  local rank, seen = math.max(1, math.ceil(p / 100 * total)), 0
  for _, entry in ipairs(values) do
    seen = seen + entry[2]
    if seen >= rank then return entry[1] end
  end
  return 0
end

-- The recorded latencies in the buckets above, as a JSON list of [bucket, count], ascending.
local function buckets(values)
  local counts, order, parts = {}, {}, {}
  for _, entry in ipairs(values) do
    local bucket = entry[1] >= 1 and math.floor(math.log(entry[1]) / math.log(growth)) or 0
    if counts[bucket] == nil then order[#order + 1] = bucket end
    counts[bucket] = (counts[bucket] or 0) + entry[2]
  end
  for _, bucket in ipairs(order) do parts[#parts + 1] = string.format("[%d,%d]", bucket, counts[bucket]) end
  return "[" .. table.concat(parts, ",") .. "]"
end

done = function(summary, latency)
  local errors = summary.errors
  local values, total = recorded(summary, latency)
  local batches = math.floor(summary.requests / depth)
  -- Every complete batch was recorded once, unless it took longer than --timeout (wrk counts it as a timeout
  -- instead); a batch still open at the end was not. Anything else means the struct above is not this wrk's,
  -- and the figures would be wrong.
  local problem = values == nil and total
    or (total > batches or total < batches - connections - errors.timeout)
        and string.format("%d latency samples for %d batches", total, batches)
    or nil
  if problem then
    io.stderr:write("wrk-report.lua: cannot read wrk's latency histogram: " .. problem .. "\n")
    os.exit(1)
  end
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,' ..
      '"p50Us":%d,"p99Us":%d,"maxUs":%d,"batches":%d,"buckets":%s}\n',
    summary.requests, summary.duration, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
    percentile(values, total, 50), percentile(values, total, 99), tonumber(ffi.cast("wrk_stats**", latency)[0].max), total, buckets(values)))
end
