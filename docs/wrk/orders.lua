-- orders.lua: wrk script that POSTs an orders query over one month of
-- purchase time, with each order's items and their products, to /graphql.
-- Run from the repository root against a running server:
--
--   wrk -t2 -c16 -d20s -s docs/wrk/orders.lua http://127.0.0.1:18080/graphql

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"operationName": "Orders", "query": "query Orders { orders(first: 20, filter: {purchased: {from: \"2025-03-01T00:00:00Z\", to: \"2025-04-01T00:00:00Z\"}}) { edges { node { id purchasedAt total items { productId quantity unitPrice product { title } } } } } }"}]]

-- The response counting and the summary are shared with the other scripts.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
