-- products.lua: wrk script that POSTs a filtered product listing to
-- /graphql. Run from the repository root against a running server:
--
--   wrk -t2 -c16 -d20s -s docs/wrk/products.lua http://127.0.0.1:18080/graphql

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{"operationName": "Products", "query": "query Products { products(first: 20, filter: {category: [\"electronics\"], price: {max: \"150.00\"}}) { edges { node { id title price averageRating } } } }"}]]

-- The response counting and the summary are shared with the other scripts.
dofile((debug.getinfo(1, "S").source:match("^@(.*/)") or "./") .. "report.lua")
