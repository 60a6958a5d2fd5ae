-- wrk script: the same request every time (METHOD from the first argument; headers
-- from -H), counting 200s and other statuses, printing the driver's RESULT line with
-- wrk's own duration.
--
--   wrk ... -s plain.lua URL -- METHOD

local threads = {}

function setup(thread)
    table.insert(threads, thread)
end

function init(args)
    wrk.method = args[1]
    ok, other = 0, 0
end

function response(status, headers, body)
    if status == 200 then ok = ok + 1 else other = other + 1 end
end

function done(summary, latency, requests)
    local total_ok, total_other = 0, 0
    for _, thread in ipairs(threads) do
        total_ok = total_ok + thread:get("ok")
        total_other = total_other + thread:get("other")
    end
    io.write(string.format("RESULT ok=%d other=%d seconds=%.6f p50_ms=%.3f p99_ms=%.3f\n",
        total_ok, total_other, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
