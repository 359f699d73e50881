-- mixed.lua: wrk script that POSTs a rotating mix of four GraphQL documents
-- to /graphql, one after another on each connection:
--
--   1. keyword search for one of eight terms, 10 hits with highlights;
--   2. a product page: one product with its 5 newest reviews;
--   3. aggregations: ORDERS and REVENUE per month and state in 2025;
--   4. 10 recommendations for one user.
--
-- Product and user ids exist in the demo data of "shopsight demo" at its
-- default seed and scale (600 products, 5,000 users). The server must run
-- in open mode (the demo does), because the script sends no API key.
-- Run from the repository root against a running server:
--
--   wrk -t2 -c16 -d60s -s docs/wrk/mixed.lua http://127.0.0.1:18080/graphql

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

local terms = {"phone case", "charger", "headphones", "speaker", "keyboard", "mouse", "frying pan", "lamp"}

local function search(i)
  local term = terms[i % #terms + 1]
  return string.format([[{"operationName": "Search", "query": "query Search($q: String!) { search(query: $q, first: 10) { totalCount edges { node { id title price } score highlights { field fragments } } } }", "variables": {"q": "%s"}}]], term)
end

local function productPage(i)
  local id = string.format("p%05d", i % 600 + 1)
  return string.format([[{"operationName": "ProductPage", "query": "query ProductPage($id: ID!) { product(id: $id) { id title description price averageRating reviewCount reviews(first: 5, orderBy: DESC) { edges { node { id rating title text createdAt } } } } }", "variables": {"id": "%s"}}]], id)
end

local function metrics(i)
  return [[{"operationName": "MonthlyByState", "query": "query MonthlyByState { metrics(measures: [ORDERS, REVENUE], dimensions: [TIME, STATE], granularity: MONTH, from: \"2025-01-01T00:00:00Z\", to: \"2026-01-01T00:00:00Z\") { source rows { time state values { measure value } } } }"}]]
end

local function recommendations(i)
  local id = string.format("u%06d", i % 5000 + 1)
  return string.format([[{"operationName": "Recommendations", "query": "query Recommendations($id: ID!) { recommendations(userId: $id, first: 10) { score product { id title } reasons { kind text } } }", "variables": {"id": "%s"}}]], id)
end

local kinds = {search, productPage, metrics, recommendations}

-- Each thread counts the responses that are not 200 or carry GraphQL
-- errors and prints the first three; done() adds up the threads' counts.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  counter = 0
  failed = 0
end

function request()
  counter = counter + 1
  local kind = counter % #kinds + 1
  return wrk.format(nil, nil, nil, kinds[kind](counter * 7919))
end

function response(status, headers, body)
  if status ~= 200 or body:find('"errors"', 1, true) then
    failed = failed + 1
    if failed <= 3 then
      io.stderr:write(string.format("failed response %d: %s\n", status, body:sub(1, 300)))
    end
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
  io.write(string.format("non-2xx responses: %d\n", summary.errors.status))
  io.write(string.format("failed responses (not 200, or GraphQL errors): %d of %d\n", failures, summary.requests))
end
