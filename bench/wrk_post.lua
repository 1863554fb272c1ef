-- Posts comments with wrk, one connection per thread, and checks each answer.
-- Arguments (after --): kind ("samtal" or "isso"), path, write token, form timestamp, seconds,
-- and the run's number (0-3), which keeps markers and addresses apart between the runs of one
-- benchmark (a text posted again in another thread is rightly suspect to the spam check).
-- Every request carries a unique marker and a client address of its own (X-Forwarded-For,
-- trusted by both servers as from one reverse proxy), so per-reader limits act as for real
-- readers. A 201 whose body lacks the request's own marker is a mismatch: the server answered
-- with someone else's comment. Each thread stops `seconds` after its first request, after an
-- answer, so at most one request per thread (wrk may already have sent it) is left unanswered;
-- done() prints the counts, the requests sent and the measured window for the requests/s.

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } samtal_timespec;
int clock_gettime(int clock_id, samtal_timespec *tp);
]]
local clock = ffi.new("samtal_timespec")
local function now()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC: the same clock in every thread
  return tonumber(clock.tv_sec) + tonumber(clock.tv_nsec) / 1e9
end

local threads = {}

function setup(thread)
  thread:set("id", #threads + 1)
  table.insert(threads, thread)
end

function init(args)
  kind, path, token, ts, seconds = args[1], args[2], args[3], args[4], tonumber(args[5])
  run = tonumber(args[6] or "0")
  counter, created, mismatched, other = 0, 0, 0, 0 -- counter: requests sent
  first, last = 0, 0
end

function request()
  if counter == 0 then
    first = now()
  end
  counter = counter + 1
  marker = string.format("m%d-%d-%d", run, id, counter)
  local ip = string.format("10.%d.%d.%d", run * 64 + id - 1, counter % 256, math.floor(counter / 256) % 256)
  local headers = { ["Content-Type"] = "application/json", ["X-Forwarded-For"] = ip }
  local text = "Jag tror att kontaktnätet väger tyngst, " .. marker .. "."
  local body
  if kind == "isso" then
    body = string.format('{"text": "%s", "author": "Läsare %s", "title": "Bench"}', text, marker)
  else
    headers["X-Samtal-Token"] = token
    body = string.format('{"name": "Läsare %s", "body": "%s", "ts": "%s"}', marker, text, ts)
  end
  return wrk.format("POST", path, headers, body)
end

function response(status, headers, body)
  last = now()
  if status == 201 then
    created = created + 1
    if not string.find(body, marker, 1, true) then
      mismatched = mismatched + 1
    end
  else
    other = other + 1
  end
  if last - first >= seconds then
    wrk.thread:stop()
  end
end

function done(summary, latency, requests)
  local c, m, o, sent, start, stop = 0, 0, 0, 0, math.huge, 0
  for _, thread in ipairs(threads) do
    sent = sent + thread:get("counter")
    c = c + thread:get("created")
    m = m + thread:get("mismatched")
    o = o + thread:get("other")
    if thread:get("first") > 0 then
      start = math.min(start, thread:get("first"))
    end
    stop = math.max(stop, thread:get("last"))
  end
  io.write(string.format("POSTCHECK created=%d mismatched=%d other=%d sent=%d window=%.3f\n",
    c, m, o, sent, stop - start))
end
