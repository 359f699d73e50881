-- user.lua: wrk script that POSTs one user with the user's latest orders
-- and their items to /graphql. The user id is one that has orders in the
-- demo data of "shopsight demo" with its default seed and scale.
-- Run from the repository root against a running server:
--
--   wrk -t2 -c16 -d20s -s docs/wrk/user.lua http://127.0.0.1:18080/graphql

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"operationName": "UserOrders", "query": "query UserOrders { user(id: \"u000007\") { id name orders(first: 10, orderBy: DESC) { totalCount edges { node { id purchasedAt total items { productId quantity unitPrice } } } } } }"}]]

-- Each thread counts the responses that are not 200 or carry GraphQL
-- errors; done() adds up the threads' counts.
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
