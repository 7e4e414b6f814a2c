-- wrk's script for the benchmark's throughput rounds: WRK_PIPELINE requests written at once on each
-- connection (wrk counts them and waits for as many answers), and one JSON line at the end for load.ts.
local depth = tonumber(os.getenv("WRK_PIPELINE") or "1")

init = function()
  local requests = {}
  for i = 1, depth do requests[i] = wrk.format(nil) end
  batch = table.concat(requests)
end

request = function()
  return batch
end

done = function(summary, latency)
  local errors = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"non2xx":%d,"connect":%d,"read":%d,"write":%d,"timeout":%d,"p50Us":%d,"p99Us":%d}\n',
    summary.requests, summary.duration, errors.status, errors.connect, errors.read, errors.write, errors.timeout,
    latency:percentile(50), latency:percentile(99)))
end
