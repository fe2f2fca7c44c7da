#!/usr/bin/env python3
"""gen-poll-seeds.py: writes the hand-made seeds of fuzz_poll.

    tests/fuzz/gen-poll-seeds.py [DIR]     (default tests/fuzz/corpus-poll)

Encodes the input format described at the top of tests/fuzz/fuzz_poll.c.
Each seed is a tenant story; replay one with a trace to see its requests:
    FUZZ_POLL_TRACE=1 ./fuzz_poll tests/fuzz/corpus-poll/seed-normal.bin
"""
import os
import struct
import sys

RAW, DISCOVERY, TOKEN, CONFIG, STATES, HISTORY, AUTO = range(7)
STATUS = [200, 201, 204, 206, 304, 302, 400, 401, 403, 404, 429, 500, 502,
          503, 0, 100]
BREAK, LUNCH = 1, 2  # reason_table indices


def header(window=2, budget=0, timeout=0, no_all_agents=False,
           api_endpoint=False, page=0, parallel=0, filters=0, post=False,
           small_body=False, cycles=4, lookback=0, chunk=0, wrap=False,
           overlap=0, gap=0, start=0, http_issuer=False, many_agents=False):
    h0 = window | budget << 2 | timeout << 4 | no_all_agents << 6 | \
        api_endpoint << 7
    h1 = page | parallel << 2 | filters << 4 | post << 6 | small_body << 7
    h2 = (cycles - 1) | lookback << 3 | chunk << 5 | wrap << 7
    h3 = overlap | gap << 2 | start << 4 | http_issuer << 6 | many_agents << 7
    return bytes([h0, h1, h2, h3])


def delay(ms):
    """The delay byte closest below ms."""
    for scale, unit in ((0, 1), (1, 50), (2, 1000), (3, 10000)):
        if ms % unit == 0 and ms // unit < 64:
            return bytes([scale << 6 | ms // unit])
    raise ValueError(ms)


def resp(tmpl, body=b"", status=None, ms=0, timed_out=False, failed=False,
         ic=None, retry=None):
    kind = tmpl | timed_out << 3 | failed << 4 | (ic is not None) << 5 | \
        (retry is not None) << 6 | (status is not None) << 7
    out = bytes([kind])
    if status is not None:
        out += bytes([STATUS.index(status)])
    out += delay(ms)
    if ic is not None:
        out += bytes([ic])
    if retry is not None:
        out += bytes([retry])
    return out + body


def raw(data):
    n = len(data)
    return (bytes([n]) if n < 255 else b"\xff" + struct.pack("<H", n)) + data


def off_code(seconds):
    """Start offset byte (fuzz_poll.c start_offset) for seconds ago."""
    if seconds < 0:
        return 255
    if seconds % 10 == 0 and seconds // 10 < 128:
        return seconds // 10
    assert seconds % 300 == 0 and seconds // 300 < 127, seconds
    return 128 + seconds // 300


def states(recs, poll=0, links=0):
    """recs: dicts agent (0-7: 1001..1005, 0, -7, "1002"), state, ago (s),
    acw, team (0-7), tname (0-3), reason, user (0-7), names (0-3),
    tform (0-7)."""
    out = bytes([len(recs) | poll << 4 | links << 6])
    for r in recs:
        out += bytes([
            r["agent"] | r["state"] << 3 | r.get("acw", 0) << 7,
            off_code(r["ago"]),
            r.get("team", 0) | r.get("tname", 0) << 3 | r.get("reason", 0) << 5,
            r.get("user", 0) | r.get("names", 0) << 3 | r.get("tform", 0) << 5,
        ])
    return out


def history(recs, links=0, pascal=False):
    """recs: dicts agent, state, ago (s; None: chained to the previous
    record of the agent), dur (s, a multiple of 15; None: open), iso,
    team, reason, tz."""
    out = bytes([len(recs) | links << 4 | pascal << 7])
    for r in recs:
        dur = r.get("dur")
        if dur is None:
            d = 255
        else:
            assert dur % 15 == 0 and dur // 15 < 252, dur
            d = dur // 15
        ago = r.get("ago")
        out += bytes([r["agent"] | r["state"] << 3 | r.get("iso", 0) << 7])
        out += struct.pack("<H", ago if ago is not None else 0)
        out += bytes([d, r.get("team", 0) | r.get("reason", 0) << 3 |
                      r.get("tz", 0) << 6 | (ago is None) << 7])
    return out


def auth(discovery=0, token=0, config=0, api_endpoint=False, ms=0):
    out = resp(AUTO, bytes([discovery]), ms=ms) + resp(AUTO, bytes([token]), ms=ms)
    if not api_endpoint:
        out += resp(AUTO, bytes([config]), ms=ms)
    return out


# A small tenant: three agents in two teams.  History chunks before the
# last are empty; the last chunk holds every agent's day so far.
A1, A2, A3 = 0, 1, 2
LIVE = [
    dict(agent=A1, state=1, ago=1500, team=1, tname=1, user=1, names=1),
    dict(agent=A2, state=3, ago=600, team=1, tname=1, user=2),
    dict(agent=A3, state=2, ago=30, team=2, tname=2, reason=BREAK, user=4,
         tform=1),
]
DAY = [
    dict(agent=A1, state=8, ago=7200, dur=15, team=1),
    dict(agent=A1, state=1, ago=None, dur=1800, team=1),
    dict(agent=A1, state=2, ago=None, dur=900, team=1, reason=BREAK),
    dict(agent=A1, state=3, ago=None, dur=2985, team=1, iso=1),
    dict(agent=A2, state=1, ago=3600, dur=1800, team=1),
    dict(agent=A2, state=2, ago=None, dur=1200, team=1, reason=LUNCH, tz=1),
    dict(agent=A3, state=1, ago=900, dur=870, team=2),
]


def empty_chunks(n, ms=0):
    return b"".join(resp(AUTO, history([]), status=204, ms=ms)
                    for _ in range(n))


def steady(n, ms=0):
    """n later cycles: no real-time change (304), nothing new in history."""
    return b"".join(resp(AUTO, states([]), status=304, ms=ms) +
                    resp(AUTO, history([]), status=204, ms=ms)
                    for _ in range(n))


def seeds():
    s = {}
    # A normal tenant: auth, a full snapshot, the 8 h backfill in four 2 h
    # chunks, then steady cycles.
    s["normal"] = (header(cycles=4) + auth() + resp(AUTO, states(LIVE)) +
                   empty_chunks(3) + resp(AUTO, history(DAY)) + steady(3))
    # The token stops working mid-walk: a paged history walk meets 401,
    # re-authenticates (a new token) and goes on.
    s["token-expiry"] = (
        header(cycles=3, page=3) + auth() + resp(AUTO, states(LIVE)) +
        empty_chunks(3) + resp(AUTO, history(DAY[:3], links=1)) +
        resp(AUTO, history([]), status=401, ic=2) + resp(AUTO, bytes([1])) +
        resp(AUTO, history(DAY[3:6], links=5)) + resp(AUTO, history(DAY[6:])) +
        resp(AUTO, states([]), status=401) + resp(AUTO, bytes([4])) +
        resp(AUTO, states(LIVE[:1], poll=0)) + resp(AUTO, history([]), status=204))
    # No all-agents endpoint: 404, then one request per agent (parallel 2).
    s["per-agent"] = (
        header(cycles=3, parallel=2) + auth() + resp(AUTO, states(LIVE)) +
        resp(AUTO, history([]), status=404, ic=3) +
        resp(AUTO, history(DAY[:4])) + resp(AUTO, history(DAY[4:6])) +
        resp(AUTO, history(DAY[6:])) +
        b"".join(resp(AUTO, history([]), status=s) for s in (204, 404, 204)) * 3 +
        steady(2))
    # The same through the tenant bit: every all-agents request is a 404.
    s["per-agent-tenant"] = (
        header(cycles=2, no_all_agents=True, api_endpoint=True, window=1) +
        auth(api_endpoint=True) + resp(AUTO, states(LIVE)) +
        resp(AUTO, history([])) + resp(AUTO, history(DAY[:4])) +
        resp(AUTO, history(DAY[4:6])) + resp(AUTO, history(DAY[6:])) +
        steady(2))
    # Paging: top=3, next links, skip/top from totalRecords, a link to
    # another host (re-rooted), a link repeating the page.
    s["paging"] = (
        header(cycles=2, page=2, chunk=1, lookback=1, window=1) + auth() +
        resp(AUTO, states(LIVE, links=1)) + resp(AUTO, states([])) +
        resp(AUTO, history(DAY[:3], links=1)) +
        resp(AUTO, history(DAY[3:5], links=5)) +
        resp(AUTO, history(DAY[5:6], links=3)) +
        resp(AUTO, history(DAY[6:], links=4)) + steady(1))
    # Slow answers: 2 s each against a 4.5 s budget (a chunk a cycle), one
    # answer past the timeout, a refused connection, 429 with Retry-After.
    s["slow"] = (
        header(cycles=8, timeout=1) + auth(ms=500) +
        resp(AUTO, states(LIVE), ms=2000) + resp(AUTO, history([]), ms=2000) +
        resp(AUTO, states([]), status=304, ms=2000) +
        resp(AUTO, history([]), ms=6000) +
        resp(AUTO, states([]), status=304, ms=100, failed=True) +
        resp(AUTO, states([]), status=429, ms=50, retry=30, ic=4) +
        resp(AUTO, states([]), status=304, ms=1500) +
        resp(AUTO, history(DAY[:4]), ms=3000) +
        resp(AUTO, states([]), status=304, timed_out=True) +
        steady(3, ms=2000))
    # Filters (Team "Team A", Agent 1001/1003) and odd spellings: names
    # that collide once sanitised, reasons "Lunch." / "Lunch ", PascalCase
    # history, ISO durations, offsets.
    odd = [dict(agent=a, state=st, ago=ago, team=t, tname=tn, reason=r,
                user=u, names=nm, tform=tf)
           for a, st, ago, t, tn, r, u, nm, tf in (
               (0, 2, 120, 1, 1, 4, 1, 1, 2), (1, 2, 60, 1, 3, 5, 2, 2, 3),
               (2, 2, 10, 3, 0, 3, 3, 0, 4), (3, 9, 3000, 4, 0, 0, 6, 3, 5),
               (4, 14, 20, 5, 1, 7, 7, 1, 0), (7, 1, 40, 6, 1, 0, 5, 0, 0))]
    s["filters-names"] = (
        header(cycles=3, filters=3, window=0, lookback=1) + auth() +
        resp(AUTO, states(odd)) +
        resp(AUTO, history([dict(agent=a, state=2, ago=900 + 60 * a, dur=600,
                                 team=1, reason=4 + a % 2, iso=a % 2)
                            for a in range(5)], pascal=True)) +
        steady(2))
    # Many agents (45: ids 1001 + page + 8 * index) over three pages, their
    # history in the last chunk (links=1: three pages again); a plain-http
    # Issuer (plain endpoints accepted with a warning).
    def many(p):
        return [dict(agent=p, state=(i + p) % 9, ago=30 * (i + 1),
                     team=1 + i % 3, tname=1 + i % 2, reason=i % 8,
                     user=i % 8) for i in range(15)]

    def hist(p):  # each agent's record ends where its live state began
        return [dict(agent=p, state=(i + p + 1) % 9, ago=30 * (i + 1) + 1800,
                     dur=1800, team=1 + i % 3, reason=i % 8)
                for i in range(15)]
    s["many-agents"] = (
        header(cycles=3, many_agents=True, http_issuer=True, window=1,
               lookback=1) + auth(discovery=1, config=2) +
        resp(AUTO, states(many(0), links=1)) +
        resp(AUTO, states(many(1), links=1)) + resp(AUTO, states(many(2))) +
        resp(AUTO, history(hist(0), links=1)) +
        resp(AUTO, history(hist(1), links=1)) + resp(AUTO, history(hist(2))) +
        steady(2))
    # The wall clock set back between cycles, an outage of 2 h, raw bodies.
    s["clock-raw"] = (
        header(cycles=5, gap=3, wrap=True) + auth() +
        resp(RAW, raw(b'{"agentStates":[{"agentId":1001,"agentStateId":1,'
                      b'"startDate":"2024-11-30T20:50:00Z"}],'
                      b'"lastPollTime":"2024-11-30T20:53:20.000Z"}')) +
        resp(RAW, raw(b'[{"agentId":1001,"agentStateId":8,'
                      b'"startDate":"2024-11-30T20:00:00Z","duration":60}]')) +
        resp(RAW, raw(b'{"agentStateHistory":[{"agentId":"1002",'
                      b'"agentStateName":"Unavailable","outStateDescription":'
                      b'"Break","startDate":"2024-11-30T19:00:00+01:00",'
                      b'"duration":"PT10M"}],"_links":{"next":null}}')))
    return s


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus-poll")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, "seed-%s.bin" % name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
