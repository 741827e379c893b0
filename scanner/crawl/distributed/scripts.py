"""The Lua scripts that make each step atomic in Redis (Redis runs a script whole or not at all).

A lease is ``worker \\n score \\n member`` under a token in a source's ``leases``
hash: what the page was (``member``: arrival number, ``|``, the request as JSON),
where it stood in the queue (``score``) and who took it. A lease whose page was
read (counted in ``pages``, not yet released) is also in the source's ``read`` set.

A source's page cap holds when pages are leased, not only when they are read: a
page leased is a page the fleet will read (Scrapy's close waits for every
request in progress, those queued at the host's gate too), so a cap counted
only at reading let each worker's leased pages through after it: with two
workers of four leases each, ``max_pages = 8`` read 11 pages, and up to 16.

Times come from Redis (``TIME``), never from a worker's own clock: the workers'
clocks may disagree, Redis's is the one they share.
"""

from __future__ import annotations

from typing import Any

#: Lease one request of a queue, the one a worker looked at (``LeasedQueue.peek``), if
#: no other worker took it meanwhile and the source's page cap has room for it: the
#: pages read and the pages leased but not read yet stay within the cap, so no
#: worker holds a page the cap will not let it read. KEYS: queue, leases, state,
#: read. ARGV: token, worker, member, the cap (0: none). Returns 1, nil when it is
#: gone, or -1 when the cap is full. Run twice with the same token (the client
#: retries a command whose answer a Redis restart lost), it says 1 again: else the
#: worker would think the page gone while its lease, under its own live name, kept
#: the source open for ever.
TAKE = """
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 1 end
local cap = tonumber(ARGV[4])
if cap > 0 then
  local pages = tonumber(redis.call('HGET', KEYS[3], 'pages') or '0')
  local unread = redis.call('HLEN', KEYS[2]) - redis.call('SCARD', KEYS[4])
  if pages + unread >= cap then return -1 end
end
local score = redis.call('ZSCORE', KEYS[1], ARGV[3])
if not score then return false end
redis.call('ZREM', KEYS[1], ARGV[3])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2] .. '\\n' .. score .. '\\n' .. ARGV[3])
return 1
"""

#: A worker's outbox, all at once: a batch of posts onto the item list, its
#: finished leases released, the requests its pages found queued (each unless its
#: fingerprint was seen) and its stats. KEYS: items, leases, queue, seen, seq,
#: state, stats, read. ARGV: batch ('' for none), worker, stats JSON ('' for none),
#: number of leases, the tokens, then (fingerprint or '', priority, request JSON)
#: for each request. Requests are queued only while the source is open.
#: Returns the number of requests queued.
COMMIT = """
if ARGV[1] ~= '' then redis.call('LPUSH', KEYS[1], ARGV[1]) end
if ARGV[3] ~= '' then redis.call('HSET', KEYS[7], ARGV[2], ARGV[3]) end
local n = tonumber(ARGV[4])
for i = 5, 4 + n do
  redis.call('HDEL', KEYS[2], ARGV[i])
  redis.call('SREM', KEYS[8], ARGV[i])
end
if redis.call('EXISTS', KEYS[6]) == 0 or redis.call('HEXISTS', KEYS[6], 'closed') == 1 then
  return 0
end
local queued = 0
for i = 5 + n, #ARGV, 3 do
  local fp = ARGV[i]
  if fp == '' or redis.call('SADD', KEYS[4], fp) == 1 then
    local seq = redis.call('INCR', KEYS[5])
    local score = string.format('%.17g', -tonumber(ARGV[i + 1]) * 1e10 + seq)
    redis.call('ZADD', KEYS[3], score, seq .. '|' .. ARGV[i + 2])
    queued = queued + 1
  end
end
return queued
"""

#: Put back the leases of workers that are gone (no heartbeat), or of one worker
#: (ARGV[2]) that hands its pages back. KEYS: leases, queue, read. ARGV: the heartbeat
#: key prefix, the worker ('' for every gone one). Returns how many came back.
REQUEUE = """
local all = redis.call('HGETALL', KEYS[1])
local alive, back = {}, 0
for i = 1, #all, 2 do
  local value = all[i + 1]
  local a = string.find(value, '\\n', 1, true)
  local b = string.find(value, '\\n', a + 1, true)
  local worker = string.sub(value, 1, a - 1)
  local gone
  if ARGV[2] ~= '' then
    gone = worker == ARGV[2]
  else
    if alive[worker] == nil then alive[worker] = redis.call('EXISTS', ARGV[1] .. worker) end
    gone = alive[worker] == 0
  end
  if gone then
    redis.call('ZADD', KEYS[2], string.sub(value, a + 1, b - 1), string.sub(value, b + 1))
    redis.call('HDEL', KEYS[1], all[i])
    redis.call('SREM', KEYS[3], all[i])
    back = back + 1
  end
end
return back
"""

#: Why a source is closed: the reason already set, else 'finished' once nothing is
#: queued and nothing leased (every page found was fetched and its posts pushed),
#: else nil. KEYS: queue, leases, state.
CLOSED = """
local reason = redis.call('HGET', KEYS[3], 'closed')
if reason then return reason end
if redis.call('ZCARD', KEYS[1]) == 0 and redis.call('HLEN', KEYS[2]) == 0 then
  redis.call('HSET', KEYS[3], 'closed', 'finished')
  return 'finished'
end
return false
"""

#: A worker starts on a source, unless it is closed. KEYS: state, members.
#: ARGV: worker. Returns {closed reason or '', ms since the source's first worker}.
JOIN = """
local reason = redis.call('HGET', KEYS[1], 'closed')
if reason then return {reason, 0} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSETNX', KEYS[1], 'started', now)
redis.call('HSET', KEYS[2], ARGV[1], 'open')
return {'', now - tonumber(redis.call('HGET', KEYS[1], 'started'))}
"""

#: One more page read for a source, under its lease (now counted in ``pages``, no
#: longer one the cap waits for: see TAKE); at the page cap the source closes for
#: every worker. KEYS: state, leases, read. ARGV: the cap (0: none), the page's
#: lease token ('' for none). Returns the closed reason.
PAGE = """
local n = redis.call('HINCRBY', KEYS[1], 'pages', 1)
if ARGV[2] ~= '' and redis.call('HEXISTS', KEYS[2], ARGV[2]) == 1 then
  redis.call('SADD', KEYS[3], ARGV[2])
end
local cap = tonumber(ARGV[1])
if cap > 0 and n >= cap then redis.call('HSETNX', KEYS[1], 'closed', 'closespider_pagecount') end
return redis.call('HGET', KEYS[1], 'closed') or false
"""


class Scripts:
    """The scripts registered once on a client (EVALSHA, loaded again after a restart)."""

    def __init__(self, client: Any) -> None:
        self.take = client.register_script(TAKE)
        self.commit = client.register_script(COMMIT)
        self.requeue = client.register_script(REQUEUE)
        self.closed = client.register_script(CLOSED)
        self.join = client.register_script(JOIN)
        self.page = client.register_script(PAGE)
