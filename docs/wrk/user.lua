-- user.lua: wrk script that POSTs one user with the user's latest orders
-- and their items to /graphql. The user id is one that has orders in the
-- demo data of "shopsight demo" with its default seed and scale.
-- Run from the repository root against a running server:
--
--   wrk -t2 -c16 -d20s -s docs/wrk/user.lua http://127.0.0.1:18080/graphql

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"operationName": "UserOrders", "query": "query UserOrders { user(id: \"u000007\") { id name orders(first: 10, orderBy: DESC) { totalCount edges { node { id purchasedAt total items { productId quantity unitPrice } } } } } }"}]]

-- The response counting and the summary are shared with the other scripts.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
