-- wrk script: POST a valid deal with the credential. The harness sets both variables:
--   BENCH_AUTH       the Authorization header value ("Bearer <jwt>")
--   BENCH_POST_BODY  a JSON DealInput whose references exist on the server
-- wrk -t2 -c32 -d10s --latency -s benchmarks/post_deal.lua http://127.0.0.1:PORT/api/deals
wrk.method = "POST"
wrk.body = os.getenv("BENCH_POST_BODY") or '{"name": "Benchmark deal", "stage_id": 1}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
local auth = os.getenv("BENCH_AUTH")
if auth then
  wrk.headers["Authorization"] = auth
end
