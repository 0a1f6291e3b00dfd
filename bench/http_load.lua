-- wrk script for bench/http_load.sh: each request POSTs a question to /v1/ask, cycling
-- through mixed questions (figures, breakdowns, series, rankings, lists, follow-ups, refusals)
-- and tokens (scoped, masked, all rows, and one with a low rate limit that must get 429s).
-- Counts every status; `done` prints them as one JSON line for the results file.

local questions = {
  "上个月销售额", "各地区的销售额", "今年每个月的销售额", "上月复购率是多少", "上季度各渠道的订单数",
  "去年消费金额前10的客户", "最近30天新客户有多少", "今年各会员等级的人均消费", "流失率", "活跃客户数",
  "今年各品类的销售额", "上月各地区的复购率", "repeat purchase rate last month", "top 5 cities by sales this year",
  "average order value by channel in 2025", "sales this week vs last week", "上月高复购客户有哪些",
  "今天天气怎么样", "华北的销售额", "那华东呢",
}
local tokens = { "load-east-00000001", "load-analyst-0002", "load-admin-000003", "load-live-0000004", "load-limited-00005" }

counter = 0
statuses = {}
threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  statuses = {}
end

function request()
  counter = counter + 1
  local q = questions[(counter * 7 + id) % #questions + 1]
  local t = tokens[(counter + id) % #tokens + 1]
  local body = string.format('{"question": "%s", "today": "2026-11-22", "conversation_id": "w%d-%d", "limit": 200}', q, id, counter % 8)
  return wrk.format("POST", "/v1/ask", {
    ["Content-Type"] = "application/json",
    ["Authorization"] = "Bearer " .. t,
  }, body)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    local s = t:get("statuses")
    for k, v in pairs(s) do total[k] = (total[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(total) do table.insert(parts, string.format('"%d": %d', k, v)) end
  io.write(string.format('STATUS {%s}\n', table.concat(parts, ", ")))
  io.write(string.format('LATENCY_MS p50=%.2f p90=%.2f p99=%.2f max=%.2f mean=%.2f\n',
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, latency.mean / 1000))
  io.write(string.format('TOTAL requests=%d seconds=%.2f rps=%.1f errors_connect=%d errors_read=%d errors_write=%d errors_timeout=%d errors_status=%d\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.timeout, summary.errors.status))
end
