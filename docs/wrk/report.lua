-- report.lua: response counting and the summary shared by the wrk scripts
-- of this folder, which load it with dofile. Each thread counts the
-- responses that are not 200 or carry GraphQL errors; done() adds up the
-- threads' counts and prints requests/s and latency percentiles.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  failed = 0
end

function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then
    failed = failed + 1
  end
end

function done(summary, latency, requests)
  local failures = 0
  for _, thread in ipairs(threads) do
    failures = failures + thread:get("failed")
  end
  io.write(string.format("requests/s: %.0f\n", summary.requests / (summary.duration / 1e6)))
  for _, p in ipairs({50, 90, 99, 99.9}) do
    io.write(string.format("latency p%g: %.2f ms\n", p, latency:percentile(p) / 1000))
  end
  io.write(string.format("failed responses (not 200, or GraphQL errors): %d of %d\n", failures, summary.requests))
end
