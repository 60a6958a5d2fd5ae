-- wrk script: one bearer token per request, from a file of tokens (one per line).
--
--   wrk ... -s tokens.lua URL -- TOKENS_FILE METHOD PATH THREADS MODE
--
-- With BENCH_PORTS set (e.g. "8001,8002"), thread N sends to 127.0.0.1 at the (N mod
-- count)th port instead of the URL's: one wrk, with the same threads and connections,
-- spreads its load over several servers (the two-replica runs of replicas.py).
--
-- MODE "once": each token is used once (logout: a token ends with its session); a thread
-- that has had an answer for each of its tokens stops (wrk.thread:stop()), and only the
-- successful part is timed. Requests sent meanwhile repeat the thread's last token
-- (answered 401). MODE "cycle": tokens are reused round-robin
-- (verify). Threads take disjoint slices of the file.
--
-- done() prints one line for the driver:
--   RESULT ok=N other=N seconds=S p50_ms=X p99_ms=Y
-- where seconds spans the first request to the last 200 across all threads (a clock of
-- our own: wrk's duration includes the time after the tokens ran out).

local ffi = require("ffi")
ffi.cdef[[
typedef struct { long tv_sec; long tv_nsec; } bench_timespec;
int clock_gettime(int clk_id, bench_timespec *tp);
]]
local function now()
    local ts = ffi.new("bench_timespec")
    ffi.C.clock_gettime(1, ts) -- CLOCK_MONOTONIC
    return tonumber(ts.tv_sec) + tonumber(ts.tv_nsec) / 1e9
end

local threads = {}
local next_id = 0

local ports = {}
for port in string.gmatch(os.getenv("BENCH_PORTS") or "", "%d+") do
    ports[#ports + 1] = port
end

function setup(thread)
    thread:set("id", next_id)
    if #ports > 0 then
        thread.addr = wrk.lookup("127.0.0.1", ports[next_id % #ports + 1])[1]
    end
    next_id = next_id + 1
    table.insert(threads, thread)
end

function init(args)
    local file, count = args[1], tonumber(args[4])
    method, path, mode = args[2], args[3], args[5]
    requests = {}
    local line_number = 0
    for line in io.lines(file) do
        if line_number % count == id then
            requests[#requests + 1] = wrk.format(method, path, { ["Authorization"] = "Bearer " .. line })
        end
        line_number = line_number + 1
    end
    index, ok, other = 0, 0, 0
    started, last_ok = 0, 0
end

function request()
    if started == 0 then started = now() end
    index = index + 1
    if index > #requests then
        index = (mode == "cycle") and 1 or #requests
    end
    return requests[index]
end

function response(status, headers, body)
    if status == 200 then
        ok = ok + 1
        last_ok = now()
    else
        other = other + 1
    end
    if mode == "once" and ok + other >= #requests then
        wrk.thread:stop()
    end
end

function done(summary, latency, requests)
    local total_ok, total_other, first, last = 0, 0, math.huge, 0
    for _, thread in ipairs(threads) do
        total_ok = total_ok + thread:get("ok")
        total_other = total_other + thread:get("other")
        local started = thread:get("started")
        if started > 0 and started < first then first = started end
        local thread_last = thread:get("last_ok")
        if thread_last > last then last = thread_last end
    end
    local seconds = (last > first) and (last - first) or 0
    io.write(string.format("RESULT ok=%d other=%d seconds=%.6f p50_ms=%.3f p99_ms=%.3f\n",
        total_ok, total_other, seconds, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
