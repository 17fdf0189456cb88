-- wrk_bets.lua: bets for wrk (issue 19, item 3). Every request is a
-- POST /v1/bets with its own Idempotency-Key, rotating the load accounts
-- and the selections that `inplay loadgen --prepare-only` funded and found;
-- every answer is counted by status and, for an error body
-- {"error":{"code":"X"}}, by that code, per wrk thread. done() prints the
-- status mix and the accepted bets (201 only: a 503 MARKET_BUSY is an
-- answer, not a bet) in lines bench/http_bench.sh reads:
--   mix 201=N 503:MARKET_BUSY=N ...
--   accepted N in S s = R/s
--   answers N = R/s; latency p50 ... max ... ms; socket errors ...
--
--   wrk -t1 -c32 -d10s -s bench/wrk_bets.lua URL -- TOKEN SELECTIONS ACCOUNT_PREFIX ACCOUNTS [STAKE] [RUN_ID]
--     SELECTIONS: 1011:2.10,1012:3.40,...   ACCOUNT_PREFIX ACCOUNTS: load- 200
-- Against a server that is not a book (bench/echo_server) the same bytes go
-- out and every answer is a 200: the ceiling for the same load.

local threads = {}
local next_thread = 0

function setup(thread)
  thread:set("id", next_thread)
  next_thread = next_thread + 1
  table.insert(threads, thread)
end

local token, prefix, naccounts, stake, run_id
local selections = {}
local n = 0
counts = {}  -- "201" or "503:MARKET_BUSY" -> answers; read by done() through thread:get

function init(args)
  token = assert(args[1], "wrk_bets.lua: TOKEN is required")
  for sel, odds in string.gmatch(assert(args[2], "SELECTIONS is required"), "(%d+):([%d.]+)") do
    table.insert(selections, {sel, odds})
  end
  assert(#selections > 0, "wrk_bets.lua: no selection in " .. args[2])
  prefix = args[3] or "load-"
  naccounts = tonumber(args[4] or "1")
  stake = args[5] or "100"
  run_id = (args[6] or tostring(os.time())) .. "-t" .. wrk.thread:get("id")
end

function request()
  local s = selections[(n % #selections) + 1]
  local account = prefix .. (math.floor(n / #selections) % naccounts)
  local body = string.format(
    '{"account":"%s","selection_id":%s,"stake":%s,"currency":"GBP","odds":"%s","price_change":"any"}',
    account, s[1], stake, s[2])
  local headers = {
    ["Authorization"] = "Bearer " .. token,
    ["Idempotency-Key"] = run_id .. "-" .. n,
    ["Content-Type"] = "application/json",
  }
  n = n + 1
  return wrk.format("POST", "/v1/bets", headers, body)
end

function response(status, headers, body)
  local key = tostring(status)
  if status < 200 or status > 299 then
    local code = body and string.match(body, '"error":{"code":"([%w_]+)"')
    if code then key = key .. ":" .. code end
  end
  counts[key] = (counts[key] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, thread in ipairs(threads) do
    for key, c in pairs(thread:get("counts")) do total[key] = (total[key] or 0) + c end
  end
  local keys = {}
  for key in pairs(total) do table.insert(keys, key) end
  table.sort(keys)
  local mix = {}
  for _, key in ipairs(keys) do table.insert(mix, key .. "=" .. total[key]) end
  local secs = summary.duration / 1e6
  local accepted = total["201"] or 0
  io.write("mix " .. table.concat(mix, " ") .. "\n")
  io.write(string.format("accepted %d in %.2f s = %.1f/s\n", accepted, secs, accepted / secs))
  local e = summary.errors
  io.write(string.format(
    "answers %d = %.1f/s; latency p50 %.3f p99 %.3f p99.9 %.3f max %.3f ms; socket errors connect %d read %d write %d timeout %d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    latency:percentile(99.9) / 1e3, latency.max / 1e3, e.connect, e.read, e.write, e.timeout))
end
