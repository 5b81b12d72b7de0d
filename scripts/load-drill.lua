-- wrk script of scripts/load-drill. Reads its setting from the environment:
--   LOAD_TOKENS   comma-separated API tokens, taken in turn (the API limits calls per token);
--   LOAD_BOOK     "motif,lieu,usager,first" and LOAD_AGENTS "a1,a2,…": POST /api/v1/rdvs, each
--                 request its own half hour (request n: agent n % #agents, first + n / #agents × 30 min);
-- and prints one line: "rps R p50 A p99 B requests N failed F" (latencies in ms; failed: not 2xx,
-- refused, closed, timed out).
local tokens, book, agents = {}, nil, {}
for token in string.gmatch(os.getenv("LOAD_TOKENS") or "", "[^,]+") do tokens[#tokens + 1] = token end
for agent in string.gmatch(os.getenv("LOAD_AGENTS") or "", "[^,]+") do agents[#agents + 1] = agent end
if os.getenv("LOAD_BOOK") then
  local f = {}
  for part in string.gmatch(os.getenv("LOAD_BOOK"), "[^,]+") do f[#f + 1] = part end
  book = { motif = f[1], lieu = f[2], usager = f[3], first = tonumber(f[4]) }
end

local threads = {}
setup = function(thread)
  thread:set("id", #threads)
  thread:set("redirected", 0)
  threads[#threads + 1] = thread
end

local sent = 0
request = function()
  sent = sent + 1
  -- wrk.format takes the table given instead of wrk.headers: start from the -H headers (Host, Cookie).
  local headers = {}
  for name, value in pairs(wrk.headers) do headers[name] = value end
  if #tokens > 0 then headers["Authorization"] = "Bearer " .. tokens[1 + sent % #tokens] end
  if not book then return wrk.format(nil, nil, headers) end
  -- Distinct across threads: thread id + sent × thread count.
  local n = id + (sent - 1) * tonumber(os.getenv("LOAD_THREADS") or "1")
  local start = book.first + math.floor(n / #agents) * 1800
  headers["Content-Type"] = "application/json"
  local body = string.format('{"motif_id":"%s","lieu_id":"%s","agent_id":"%s","usager_id":"%s","starts_at":"%s"}',
    book.motif, book.lieu, agents[1 + n % #agents], book.usager, os.date("!%Y-%m-%dT%H:%M:%SZ", start))
  return wrk.format("POST", nil, headers, body)
end

-- wrk counts only statuses above 399 as errors: a redirect (to the sign-in page, say) is one too.
redirected = 0
response = function(status, headers, body)
  if status >= 300 and status < 400 then redirected = redirected + 1 end
end

done = function(summary, latency, requests)
  local e = summary.errors
  local failed = e.connect + e.read + e.write + e.status + e.timeout
  for _, thread in ipairs(threads) do failed = failed + thread:get("redirected") end
  io.write(string.format("rps %.1f p50 %.2f p99 %.2f requests %d failed %d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.requests, failed))
end
