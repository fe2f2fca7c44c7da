"""End-to-end tests of cxone-query against cxone-sim (and the plugin).

Each test takes (ctx, wd) like those in core_tests.py: ctx.build holds the
binaries, wd.path is the test's work directory.  cxone-query's totals are
compared with the simulator's ground truth and with the values the real
collectd + plugin dispatched for the same window; its error paths are tried
with the simulator's faults, wrong credentials and a wrong CA.
"""

import csv
import io
import json
import os
import re
import subprocess
import time
import urllib.parse
import urllib.request
from datetime import datetime, timezone

import harness as h
from harness import Failure, expect

WINDOW = 300
SECRETS = [v for k, v in h.SIM_CREDENTIALS.items() if not k.endswith("_id")]


def iso(t):
    return datetime.fromtimestamp(t, timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def write_conf(wd, sim, extra="", name="q.conf"):
    path = os.path.join(wd.path, name)
    with open(path, "w") as f:
        f.write("LoadPlugin cxone\n<Plugin cxone>\n%s</Plugin>\n"
                % h.tenant_block(sim, window=WINDOW, extra=extra))
    return path


def query(ctx, args, env=None, wrapper=()):
    """Runs cxone-query; returns (rc, stdout, stderr) after checking that
    nothing it printed holds a secret or a token."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("CXONE_")}
    full_env.update(env or {})
    r = subprocess.run(list(wrapper) + [os.path.join(ctx.build, "cxone-query")]
                       + args, capture_output=True, text=True, env=full_env,
                       timeout=300)
    for text in (r.stdout, r.stderr):
        for secret in SECRETS:
            expect(secret not in text, "a secret appears in the output of %s"
                   % args)
        expect("eyJ" not in text, "a token appears in the output of %s" % args)
    return r.returncode, r.stdout, r.stderr


def history_json(ctx, conf, until, extra=()):
    rc, out, err = query(ctx, ["-c", conf, "history", "--until", iso(until),
                               "--since", str(WINDOW), "--format", "json"]
                         + list(extra))
    expect(rc == 0, "history failed (%d): %s" % (rc, err))
    return json.loads(out)


def compare_totals(doc, truth, scopes=("agents", "teams", "all"), tol=1.0):
    """Returns (values compared, mismatches) of doc's totals vs truth."""
    checked, bad = 0, []
    pairs = []
    if "agents" in scopes:
        for aid, a in doc["totals"]["agents"].items():
            pairs.append(("agent " + aid, a["durations"],
                          truth["agents"][aid]["durations"]))
    if "teams" in scopes:
        for name, t in doc["totals"]["teams"].items():
            pairs.append(("team " + name, t["durations"],
                          truth["teams"][name]["durations"]))
    if "all" in scopes:
        pairs.append(("all", doc["totals"]["all"]["durations"],
                      truth["all"]["durations"]))
    for scope, got, want in pairs:
        for key in set(got) | set(want):
            checked += 1
            if abs(got.get(key, 0.0) - want.get(key, 0.0)) > tol:
                bad.append("%s %s: %.3f != truth %.3f" % (
                    scope, key, got.get(key, 0.0), want.get(key, 0.0)))
    return checked, bad


def check_intervals(doc):
    """Sorted, clipped, and summing to each agent's totals."""
    since, until = h.parse_iso(doc["since"]), h.parse_iso(doc["until"])
    sums = {}
    prev = None
    for iv in doc["intervals"]:
        s, e = h.parse_iso(iv["start"]), h.parse_iso(iv["end"])
        expect(since - 0.001 <= s < e <= until + 0.001,
               "interval outside the range: %s" % iv)
        expect(prev is None or s >= prev, "intervals not sorted by start")
        prev = s
        key = (str(iv["agent"]), iv["state"])
        sums[key] = sums.get(key, 0.0) + iv["seconds"]
        if iv["reason"]:
            key = (str(iv["agent"]), "Unavailable-" + iv["reason"])
            sums[key] = sums.get(key, 0.0) + iv["seconds"]
    for aid, a in doc["totals"]["agents"].items():
        for state, v in a["durations"].items():
            expect(abs(sums.get((aid, state), 0.0) - v) < 0.01,
                   "agent %s %s: intervals sum to %.3f, total %.3f" % (
                       aid, state, sums.get((aid, state), 0.0), v))


def fault(sim, kind, count=1, path=None):
    """/sim/fault (harness.Sim.fault cannot pass `path`: Sim.get's own
    first parameter has that name)."""
    query = {"kind": kind, "count": str(count)}
    if path:
        query["path"] = path
    url = sim.url + "/sim/fault?" + urllib.parse.urlencode(query)
    with urllib.request.urlopen(url, context=sim.ctx, timeout=30) as r:
        r.read()


def start_sim(ctx, wd, args=(), agents=24):
    sim = h.Sim(ctx.sim_bin, wd.path, args=list(args), agents=agents)
    time.sleep(1.5)
    return sim


# ---- tests ----------------------------------------------------------------

def test_query_history_truth(ctx, wd):
    """Totals of all, several teams and agents equal /sim/truth (1 s)."""
    sim = start_sim(ctx, wd, args=["--history-straddle", "exclude",
                                   "--open-state", "partial"])
    try:
        conf = write_conf(wd, sim)
        total = 0
        for extra, scopes in (((), ("agents", "teams", "all")),
                              (("--team", "Tier 2", "--team", "support"),
                               ("agents", "teams")),
                              (("--agent", "1001", "--agent", "1007"),
                               ("agents",))):
            until = time.time() - 1
            doc = history_json(ctx, conf, until, extra)
            truth = sim.truth(until, WINDOW)
            checked, bad = compare_totals(doc, truth, scopes)
            expect(not bad, "%s: %d mismatches: %s" % (extra, len(bad), bad[:8]))
            check_intervals(doc)
            total += checked
            if extra and extra[0] == "--team":
                expect(sorted(doc["totals"]["teams"]) == ["Support", "Tier 2"],
                       "team filter: %s" % sorted(doc["totals"]["teams"]))
            if extra and extra[0] == "--agent":
                expect(sorted(doc["totals"]["agents"]) == ["1001", "1007"],
                       "agent filter: %s" % sorted(doc["totals"]["agents"]))
        print("    %d totals equal the ground truth (all, teams, agents)" % total)
    finally:
        sim.stop()


def test_query_since_today(ctx, wd):
    """--since today starts at the local midnight of --until's day in the
    block's TimeZone (by Python's zoneinfo): history totals and the skill
    summary equal /sim/truth over that day."""
    until = time.time() - 1
    zone = h.recent_midnight_zone(until - 3600)  # midnight 1 to 2 hours ago
    sim = start_sim(ctx, wd, agents=12)
    try:
        conf = write_conf(wd, sim, extra='    TimeZone "%s"\n' % zone)
        midnight = h.day_start(until, zone)
        doc = history_json(ctx, conf, until, ["--since", "today"])
        expect(abs(h.parse_iso(doc["since"]) - midnight) < 0.002,
               "history --since today in %s: since %s, midnight is %s"
               % (zone, doc["since"], iso(midnight)))
        checked, bad = compare_totals(doc, sim.truth(until, until - midnight))
        expect(not bad, "%d mismatches since midnight: %s" % (len(bad), bad[:8]))
        sk = json.loads(skills_query(ctx, conf, ["--since", "today", "--until",
                                                 iso(until), "--format", "json"]))
        expect(abs(h.parse_iso(sk["since"]) - midnight) < 0.002,
               "skills --since today: since %s" % sk["since"])
        checked += compare_skills(sim, skills_from_json(sk),
                                  h.parse_iso(sk["live_at"]), midnight, until)
        print("    %d figures since %s's midnight (%.0f s ago) equal the "
              "ground truth" % (checked, zone, until - midnight))
    finally:
        sim.stop()


def test_query_formats(ctx, wd):
    """table, csv and json describe the same data and parse."""
    sim = start_sim(ctx, wd, agents=8)
    try:
        conf = write_conf(wd, sim)
        until = iso(time.time() - 1)
        base = ["-c", conf, "history", "--until", until, "--since", "2m"]
        rc, js, _ = query(ctx, base + ["--format", "json"])
        expect(rc == 0, "json: rc %d" % rc)
        doc = json.loads(js)
        rc, cs, _ = query(ctx, base + ["--format", "csv"])
        expect(rc == 0, "csv: rc %d" % rc)
        rows = list(csv.DictReader(io.StringIO(cs)))
        expect(rows and list(rows[0].keys()) == ["type", "scope", "agent", "team",
                                                 "state", "reason", "start",
                                                 "end", "seconds"],
               "csv header: %s" % (rows[0].keys() if rows else None))
        ivs = [r for r in rows if r["type"] == "interval"]
        expect(len(ivs) == len(doc["intervals"]), "csv and json intervals differ")
        for r in rows:
            if r["type"] != "total":
                continue
            d = (doc["totals"]["all"] if r["scope"] == "all" else
                 doc["totals"]["agents"][r["agent"]] if r["agent"] else
                 doc["totals"]["teams"][r["team"]])["durations"]
            key = r["state"] + ("-" + r["reason"] if r["reason"] else "")
            expect(abs(d[key] - float(r["seconds"])) < 0.0005,
                   "csv total %s differs from json" % r)
        rc, table, _ = query(ctx, base)
        expect(rc == 0, "table: rc %d" % rc)
        lines = table.splitlines()
        head = [i for i, l in enumerate(lines) if l.startswith("AGENT")]
        expect(head, "no interval table header:\n" + table[:500])
        body = lines[head[0]:head[0] + 1 + len(doc["intervals"])]
        expect(len(set(len(l) for l in body)) == 1,
               "interval table is not aligned:\n" + "\n".join(body[:5]))
        expect(any(l.startswith("all agents") for l in lines), "no totals table")
        print("    %d intervals, %d csv rows, table of %d lines" % (
            len(doc["intervals"]), len(rows), len(lines)))
    finally:
        sim.stop()


def test_query_equals_plugin(ctx, wd):
    """Totals equal what collectd + the plugin dispatched at one timestamp,
    read from the same collectd.conf."""
    sim = h.Sim(ctx.sim_bin, wd.path, agents=24)
    try:
        block = h.tenant_block(sim, window=WINDOW, interval=1)
        cd = h.Collectd(wd.path, ctx.plugin_dir, block, interval=1).start()
        try:
            time.sleep(12)
        finally:
            cd.stop()
        series = h.read_csv(cd.csv_dir)
        points = series.get(("all", "duration", "Available"), [])
        expect(len(points) >= 3, "the plugin dispatched too little:\n"
               + cd.output()[-2000:])
        t = points[-2][0]
        doc = history_json(ctx, cd.conf, t)
        scopes = {"all": doc["totals"]["all"]["durations"]}
        for aid, a in doc["totals"]["agents"].items():
            scopes["agent-" + h.sanitize(aid)] = a["durations"]
        for name, tm in doc["totals"]["teams"].items():
            scopes["team-" + h.sanitize(name)] = tm["durations"]
        checked, bad = 0, []
        for (pinst, typ, ti), pts in series.items():
            # Skill figures are not history's (test_query_skills_* check them).
            if (typ != "duration" or pinst == "api" or ti.startswith("current-")
                    or h.is_skill_figure(pinst, ti)):
                continue
            at = [v for (pt, v) in pts if abs(pt - t) < 0.0005]
            if not at:
                continue
            got = h.sanitized_keys(scopes.get(pinst, {})).get(ti, 0.0)
            checked += 1
            if abs(got - at[0]) > 1.0:
                bad.append("%s %s: query %.3f != plugin %.3f" % (pinst, ti, got, at[0]))
        expect(checked > 24 * 9, "only %d plugin values at %.3f" % (checked, t))
        expect(not bad, "%d mismatches: %s" % (len(bad), bad[:8]))
        print("    %d values dispatched at %.3f equal cxone-query's totals"
              % (checked, t))
    finally:
        sim.stop()


def test_query_errors(ctx, wd):
    """Each failure class: its message, hint and exit code; no secrets."""
    sim = start_sim(ctx, wd, agents=6)
    try:
        conf = write_conf(wd, sim)
        cases = []

        def case(name, args, code, pattern, env=None, faulty=None):
            if faulty:
                fault(sim, *faulty)
            rc, out, err = query(ctx, args, env=env)
            fault(sim, "clear")
            text = out + err
            if rc != code or pattern not in text:
                raise Failure("%s: rc %d (want %d), %r not in:\n%s" % (
                    name, rc, code, pattern, text[-1500:]))
            cases.append(name)

        env_only = {"CXONE_ISSUER": sim.url, "CXONE_CACERT": sim.ca,
                    "CXONE_CLIENT_ID": "sim-client",
                    "CXONE_CLIENT_SECRET": SECRETS[0],
                    "CXONE_ACCESS_KEY_ID": "SIMKEYID+/=="}
        keyfile = os.path.join(wd.path, "key")
        with open(keyfile, "w") as f:
            f.write(h.SIM_CREDENTIALS["access_key_secret"] + "\n")
        os.chmod(keyfile, 0o600)
        case("env and secret file", ["check", "--access-key-secret-file", keyfile],
             0, "check passed", env=env_only)
        case("bad access key (invalid_grant)", ["-c", conf, "check"], 3,
             "invalid_grant", env={"CXONE_ACCESS_KEY_SECRET": "wrong/key=="})
        case("bad access key in history", ["-c", conf, "history"], 3,
             "hint: the access key was refused",
             env={"CXONE_ACCESS_KEY_SECRET": "wrong/key=="})
        case("bad client secret (invalid_client)", ["-c", conf, "check"], 3,
             "check ClientId and the client secret",
             env={"CXONE_CLIENT_SECRET": "wrong+secret"})
        case("403 on history", ["-c", conf, "check"], 4,
             "reporting permission", faulty=("403", 1, "state-history"))
        case("403 in history", ["-c", conf, "history"], 4,
             "HTTP 403", faulty=("403", 1, "agents/states"))
        case("429", ["-c", conf, "history"], 6, "HTTP 429",
             faulty=("429", 1, "state-history"))
        case("500", ["-c", conf, "check"], 6, "HTTP 500",
             faulty=("500", 1, "agents/states"))
        before = sim.get("/sim/stats")["tokens_issued"]
        case("expired token recovers", ["-c", conf, "history", "--since", "60"],
             0, "Totals", faulty=("401", 1, "state-history"))
        expect(sim.get("/sim/stats")["tokens_issued"] >= before + 2,
               "the 401 did not cause a new token")
        subprocess.run([ctx.sim_bin, "--gen-certs", os.path.join(wd.path, "tls2")],
                       capture_output=True, timeout=60)
        wrong_ca = os.path.join(wd.path, "tls2", "ca.pem")
        expect(os.path.exists(wrong_ca), "cxone-sim --gen-certs made no CA")
        case("TLS: wrong CA", ["-c", conf, "--cacert", wrong_ca, "check"], 2,
             "hint: TLS trust")
        case("TLS: wrong CA in history", ["-c", conf, "--cacert", wrong_ca,
                                          "history"], 2, "CACert")
        case("secret on the command line", ["-c", conf, "check",
                                            "--client-secret=" + SECRETS[0]],
             1, "not taken from the command line")
        case("unknown tenant", ["-c", conf, "-t", "nope", "check"], 1,
             "no <Tenant \"nope\">")
        case("bad window in conf", ["-c", write_conf(wd, sim, "    Timeout 0\n",
                                                     "bad.conf"), "check"], 1,
             "Timeout: expected a number of seconds")
        case("bad range", ["-c", conf, "history", "--since", "soon"], 1,
             "--since")
        for cmd in ([], ["history"], ["check"]):
            rc, out, _ = query(ctx, cmd + ["--help"])
            expect(rc == 0 and "usage: cxone-query" in out,
                   "%s --help: rc %d" % (cmd, rc))
        print("    %d error cases with their messages and exit codes" % len(cases))
    finally:
        sim.stop()


HOSTILE_TEAM = "Red\x1b[31m,\"Q\"\nX\x7f"   # ESC, comma, quotes, LF, DEL


def control_chars(text, allowed="\n"):
    """The C0, DEL and C1 characters in text but those in allowed."""
    return sorted(set(c for c in text if (ord(c) < 0x20 or 0x7f <= ord(c) <= 0x9f)
                      and c not in allowed))


def test_query_hostile_names(ctx, wd):
    """A team name with ESC, LF, comma, quotes and DEL (cxone-sim
    --first-team-name): escaped in the table (columns aligned), an RFC 4180
    field in CSV (only CR/LF raw, inside quotes), exact in JSON."""
    sim = start_sim(ctx, wd, agents=8, args=["--first-team-name", HOSTILE_TEAM])
    try:
        conf = write_conf(wd, sim)
        until = iso(time.time() - 1)
        base = ["-c", conf, "history", "--until", until, "--since", "2m"]
        shown = "Red\\x1b[31m,\"Q\"\\nX\\x7f"   # the table's form
        in_csv = "Red\\x1b[31m,\"Q\"\nX\\x7f"    # CSV keeps the LF (quoted)

        rc, js, err = query(ctx, base + ["--format", "json"])
        expect(rc == 0, "json: rc %d: %s" % (rc, err))
        # json-c escapes C0 controls; DEL it writes raw (valid JSON).
        bad = [c for c in control_chars(js) if c != "\x7f"]
        expect(not bad, "raw control characters in JSON: %r" % bad)
        doc = json.loads(js)
        expect(HOSTILE_TEAM in doc["totals"]["teams"],
               "JSON team names: %r" % sorted(doc["totals"]["teams"]))
        hostile_ivs = [iv for iv in doc["intervals"] if iv["team"] == HOSTILE_TEAM]
        expect(hostile_ivs, "no JSON interval of the hostile team")

        rc, table, err = query(ctx, base)
        expect(rc == 0, "table: rc %d: %s" % (rc, err))
        bad = control_chars(table)
        expect(not bad, "raw control characters in the table: %r" % bad)
        expect(("team " + shown) in table, "escaped team name not in the table:\n"
               + table[:1500])
        lines = table.splitlines()
        head = [i for i, l in enumerate(lines) if l.startswith("AGENT")]
        expect(head, "no interval table header:\n" + table[:500])
        body = lines[head[0]:head[0] + 1 + len(doc["intervals"])]
        expect(len(set(len(l) for l in body)) == 1,
               "interval table is not aligned:\n" + "\n".join(body[:5]))
        expect(sum(shown in l for l in body) == len(hostile_ivs),
               "hostile team's intervals in the table: %d, in JSON %d" % (
                   sum(shown in l for l in body), len(hostile_ivs)))

        r = subprocess.run([os.path.join(ctx.build, "cxone-query")] + base
                           + ["--format", "csv"], capture_output=True,
                           env={k: v for k, v in os.environ.items()
                                if not k.startswith("CXONE_")}, timeout=300)
        expect(r.returncode == 0, "csv: rc %d" % r.returncode)
        cs = r.stdout.decode("utf-8")
        bad = control_chars(cs, "\r\n")
        expect(not bad, "raw control characters in CSV: %r" % bad)
        rows = list(csv.reader(io.StringIO(cs, newline="")))
        expect(all(len(row) == 9 for row in rows), "CSV rows of %s fields" %
               sorted(set(len(row) for row in rows)))
        ivs = [row for row in rows if row[0] == "interval"]
        expect(len(ivs) == len(doc["intervals"]), "CSV has %d intervals, JSON %d"
               % (len(ivs), len(doc["intervals"])))
        expect(sum(row[3] == in_csv for row in ivs) == len(hostile_ivs),
               "hostile team in CSV intervals: %r" % sorted(set(r[3] for r in ivs)))
        expect(any(row[0] == "total" and row[1] == "team-" + in_csv
                   and row[3] == in_csv for row in rows),
               "no CSV total of the hostile team")
        print("    hostile team name escaped in table and CSV, exact in JSON "
              "(%d of %d intervals)" % (len(hostile_ivs), len(doc["intervals"])))
    finally:
        sim.stop()


def namespace_wrapper(wd, certs_dir):
    """A command prefix that runs its command in a private mount namespace
    with certs_dir bind-mounted over /etc/ssl/certs (the machine's own
    directory is untouched); raises h.Skip when that cannot be done."""
    if os.geteuid() != 0:
        raise h.Skip("needs root (a private mount namespace and a bind mount)")
    if not os.path.isdir("/etc/ssl/certs"):
        raise h.Skip("no /etc/ssl/certs to mount over")
    script = 'mount --bind "$0" /etc/ssl/certs && exec "$@"'
    wrapper = ["unshare", "--mount", "--propagation", "private", "--",
               "sh", "-c", script, certs_dir]
    try:
        r = subprocess.run(wrapper + ["test", "-f", "/etc/ssl/certs/probe"],
                           capture_output=True, text=True, timeout=30)
    except FileNotFoundError:
        raise h.Skip("unshare(1) is not installed")
    if r.returncode != 0:
        raise h.Skip("unshare --mount with a bind mount failed here (rc %d): %s"
                     % (r.returncode, r.stderr.strip()[:200]))
    return wrapper


def test_query_cacert_replaces_system_trust(ctx, wd):
    """CACert replaces the system trust store: with a CA "S" trusted only
    by the system CA path (/etc/ssl/certs/<hash>.0, in a private mount
    namespace), cxone-query check passes without CACert and, with CACert
    naming an unrelated CA, fails on TLS before any request (no credentials)
    reaches the server."""
    sim = start_sim(ctx, wd, agents=4)   # its TLS dir holds S
    try:
        # The unrelated CA needs a subject of its own: OpenSSL looks issuers
        # up by name, and one more cxone-sim CA (same name as S) would
        # shadow S in the store.
        unrelated = os.path.join(wd.path, "unrelated-ca.pem")
        try:
            r = subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                 "ec_paramgen_curve:P-256", "-nodes", "-keyout",
                 os.path.join(wd.path, "unrelated-ca.key"), "-out", unrelated,
                 "-days", "2", "-subj", "/O=elsewhere/CN=unrelated test CA"],
                capture_output=True, text=True, timeout=60)
            expect(r.returncode == 0, "openssl req: " + r.stderr)
            r = subprocess.run(["openssl", "x509", "-hash", "-noout", "-in",
                                sim.ca], capture_output=True, text=True,
                               timeout=30)
        except FileNotFoundError:
            raise h.Skip("openssl(1) is not installed")
        expect(r.returncode == 0, "openssl x509 -hash: " + r.stderr)
        # The system path: S only as a hashed certificate; the default
        # bundle (ca-certificates.crt) holds the unrelated CA, not S.
        certs = os.path.join(wd.path, "system-certs")
        os.makedirs(certs)
        with open(sim.ca) as f, open(os.path.join(
                certs, r.stdout.strip() + ".0"), "w") as g:
            g.write(f.read())
        with open(unrelated) as f, open(os.path.join(
                certs, "ca-certificates.crt"), "w") as g:
            g.write(f.read())
        open(os.path.join(certs, "probe"), "w").close()
        wrapper = namespace_wrapper(wd, certs)

        env = {"CXONE_ISSUER": sim.url, "CXONE_CLIENT_ID": "sim-client",
               "CXONE_CLIENT_SECRET": SECRETS[0],
               "CXONE_ACCESS_KEY_ID": h.SIM_CREDENTIALS["access_key_id"],
               "CXONE_ACCESS_KEY_SECRET": h.SIM_CREDENTIALS["access_key_secret"]}
        rc, out, err = query(ctx, ["check"], env=env, wrapper=wrapper)
        expect(rc == 0 and "check passed" in out,
               "positive control: without CACert, S in the system CA path "
               "should be trusted: rc %d\n%s" % (rc, (out + err)[-1500:]))
        before = sim.get("/sim/stats")
        env["CXONE_CACERT"] = unrelated
        rc, out, err = query(ctx, ["check"], env=env, wrapper=wrapper)
        after = sim.get("/sim/stats")
        expect(rc == 2 and "hint: TLS trust" in out + err,
               "with CACert naming an unrelated CA, check should fail on TLS "
               "(exit 2) but: rc %d\n%s" % (rc, (out + err)[-1500:]))
        expect(after["requests"] == before["requests"]
               and after["tokens_issued"] == before["tokens_issued"],
               "requests reached the server: %s -> %s" % (before, after))
        print("    system path trusted without CACert; with CACert only the "
              "named CA (TLS refused, no request reached the server)")
    finally:
        sim.stop()


def test_query_valgrind(ctx, wd):
    """history, skills and check under valgrind: no error, no leak."""
    sim = start_sim(ctx, wd, agents=8, args=["--token-ttl", "30"])
    try:
        conf = write_conf(wd, sim)
        vg = ["valgrind", "--quiet", "--leak-check=full",
              "--errors-for-leak-kinds=definite,indirect",
              "--error-exitcode=9",
              "--suppressions=" + os.path.join(h.HERE, "valgrind.supp")]
        libtool = os.path.join(ctx.build, "libtool")
        wrapper = [libtool, "--mode=execute"] + vg if os.path.exists(libtool) else vg
        for args in (["-c", conf, "history", "--since", "120", "--format", "json"],
                     ["-c", conf, "skills", "--since", "120"],
                     ["-c", conf, "skills", "--skill", "sales voice",
                      "--format", "csv"],
                     ["-c", conf, "check"]):
            fault(sim, "401", 1, "state-history")
            rc, out, err = query(ctx, args, wrapper=wrapper)
            expect(rc == 0, "%s under valgrind: rc %d\n%s" % (args, rc, err[-3000:]))
        print("    history, skills and check clean under valgrind")
    finally:
        sim.stop()


# ---- skills ---------------------------------------------------------------

SKILL_UNITS = {"count": "count", "duration": "seconds", "percent": "percent"}
LIVE_FIGURES = {n: typ for typ, names in h.SKILL_LIVE.items() for n in names}
SUMMARY_FIGURES = {n: typ for typ, names in h.SKILL_SUMMARY.items() for n in names}
# The table's headings (cxq_output.c) -> figure names.
TABLE_HEADINGS = {
    "QUEUE": "queue", "LONGEST WAIT": "longest_wait", "ACTIVE": "active",
    "AVAILABLE": "agents_available", "WORKING": "agents_working",
    "ACW": "agents_acw", "UNAVAILABLE": "agents_unavailable",
    "LOGGED IN": "agents_logged_in", "SL %": "service_level",
    "OFFERED": "offered", "HANDLED": "handled", "ABANDONED": "abandoned",
    "ABANDON %": "abandon_rate", "SPEED OF ANSWER": "speed_of_answer",
    "HANDLE TIME": "handle_time", "LONGEST QUEUE": "longest_queue"}
TOTALS = {"live": {"queue": sum, "active": sum, "longest_wait": max},
          "summary": {"offered": sum, "handled": sum, "abandoned": sum}}


def skills_query(ctx, conf, args):
    rc, out, err = query(ctx, ["-c", conf, "skills"] + list(args))
    expect(rc == 0, "skills %s: rc %d: %s" % (args, rc, err[-1500:]))
    return out


def slack(kind, name, table=False):
    """Counts exact, seconds within 1 s, percentages within 0.5 points (the
    API's are whole numbers); the table rounds to tenths."""
    typ = (LIVE_FIGURES if kind == "live" else SUMMARY_FIGURES)[name]
    return {"count": 0.0, "duration": 1.0, "percent": 0.5}[typ] + (
        0.05 if table and typ != "count" else 0.0)


def compare_skills(sim, got, live_at, since, until, table=False, only=None):
    """got: {skill id: {"live": {figure: value}, "summary": {...}}} plus
    "all"; compared with /sim/truth's skills at live_at (the answer's
    serverTime: counts exact; a millisecond either side for its rounding)
    and over [since, until].  Returns the number of values compared."""
    window = round(until - since, 3)
    summary_truth = sim.truth(until, window)["skills"]
    want_ids = set(summary_truth) if only is None else {
        i for i, s in summary_truth.items() if s["name"].lower() in only}
    expect(set(got) - {"all"} == want_ids, "skills listed: %s, want %s" % (
        sorted(set(got) - {"all"}), sorted(want_ids)))
    checked, bad = 0, []
    for kind in ("live", "summary"):
        probes = [0.0, 0.001, -0.001] if kind == "live" else [None]
        for sid in sorted(want_ids) + ["all"]:
            figures = got[sid].get(kind, {})
            names = (TOTALS[kind] if sid == "all" else
                     LIVE_FIGURES if kind == "live" else SUMMARY_FIGURES)
            expect(set(figures) == set(names), "%s %s figures: %s" % (
                sid, kind, sorted(figures)))
            for name in names:
                expected = None
                for d in probes:
                    truth = (summary_truth if d is None else
                             sim.truth(live_at + d, window)["skills"])
                    if sid == "all":
                        expected = TOTALS[kind][name](
                            truth[i][kind][name] for i in want_ids)
                    else:
                        expected = truth[sid][kind][name]
                    if abs(figures[name] - expected) <= slack(kind, name, table) + 1e-9:
                        break
                else:
                    bad.append("%s %s %s: %s != truth %s" % (
                        sid, kind, name, figures[name], expected))
                checked += 1
    expect(not bad, "%d mismatches: %s" % (len(bad), bad[:8]))
    return checked


def skills_from_json(doc):
    got = {sid: {"live": s["live"], "summary": s["summary"]}
           for sid, s in doc["skills"].items()}
    got["all"] = doc["all"]
    return got


def skills_from_csv(rows):
    got, instants = {}, {}
    for r in rows:
        sid = r["skill_id"] or "all"
        expect((sid == "all") == (r["scope"] == "all"), "csv scope: %s" % r)
        got.setdefault(sid, {}).setdefault(r["type"], {})[r["figure"]] = float(r["value"])
        instants.setdefault(r["type"], set()).add((r["start"], r["end"]))
        if r["type"] == "live":
            expect(r["start"] == r["end"], "a live row spans a range: %s" % r)
        typ = (LIVE_FIGURES if r["type"] == "live" else
               SUMMARY_FIGURES).get(r["figure"])
        expect(typ and r["unit"] == SKILL_UNITS[typ], "csv unit: %s" % r)
    expect(all(len(v) == 1 for v in instants.values()),
           "csv rows of several instants: %s" % instants)
    return got, {k: v.pop() for k, v in instants.items()}


def skills_from_table(text, names_to_ids):
    """The two tables (header line "SKILL  ID  ..."), one row per skill and
    "all"; cells split on runs of two spaces or more."""
    got, kinds, cols, kind = {}, iter(["live", "summary"]), None, None
    for line in text.splitlines():
        cells = re.split(r"\s{2,}", line.strip())
        if cells[0] == "SKILL":
            kind, cols = next(kinds), [TABLE_HEADINGS[c] for c in cells[2:]]
            continue
        if not line.strip() or cols is None or not (
                cells[0] == "all" or cells[0] in names_to_ids):
            cols = None if not line.strip() else cols
            continue
        sid = "all" if cells[0] == "all" else cells[1]
        if sid != "all":
            expect(names_to_ids[cells[0]] == sid, "table row %s" % line)
            values = cells[2:]
        else:
            values = cells[1:]
        expect(len(values) == len(cols), "table row of %d cells: %r" % (
            len(values), line))
        got.setdefault(sid, {})[kind] = {
            c: float(v) for c, v in zip(cols, values) if v != "-"}
    return got


def test_query_skills_truth(ctx, wd):
    """skills --format json: every skill's live figures equal /sim/truth at
    the answer's instant, its summary the truth over [since, until], the
    "all" totals the sums (the longest wait the largest); over the Window
    by default and over --since/--until ranges."""
    # Many abandons (callers who wait up to 3 min, scaled): queues are
    # seldom empty for long.
    sim = h.Sim(ctx.sim_bin, wd.path, agents=96, time_scale=0.3,
                args=["--abandon-percent", "50"])
    try:
        time.sleep(1.5)
        conf = write_conf(wd, sim)
        total, waiting, longest = 0, 0, 0.0
        ranges = [[], ["--since", "2m"], ["--since", "10m", "--until", "1m"],
                  ["--since", iso(time.time() - 200),
                   "--until", iso(time.time() - 20)]]
        # Then more live answers until one has a contact waiting (the
        # longest wait then is not 0); at most 30 more.
        for n in range(len(ranges) + 30):
            if n >= len(ranges) and waiting:
                break
            extra = ranges[n] if n < len(ranges) else ["--since", "1m"]
            doc = json.loads(skills_query(ctx, conf, extra + ["--format", "json"]))
            since, until = h.parse_iso(doc["since"]), h.parse_iso(doc["until"])
            if not extra:
                expect(abs(until - since - WINDOW) < 0.002,
                       "default range is not the Window: %s" % doc["window"])
            total += compare_skills(sim, skills_from_json(doc),
                                    h.parse_iso(doc["live_at"]), since, until)
            waiting += sum(s["live"]["queue"] for s in doc["skills"].values())
            longest = max(longest, doc["all"]["live"]["longest_wait"])
            if n >= len(ranges):
                time.sleep(0.5)
        print("    %d skill figures equal the ground truth in %d answers (%d "
              "contacts seen waiting, longest wait %.1f s)" % (
                  total, n + 1, waiting, longest))
    finally:
        sim.stop()


def test_query_skills_formats(ctx, wd):
    """skills in table, csv and json: each parses, one row (or object) per
    skill, each against the truth; --skill filters (case-insensitive,
    repeatable) in every format; an unknown --skill warns."""
    sim = h.Sim(ctx.sim_bin, wd.path, agents=12, time_scale=0.1)
    try:
        time.sleep(1.5)
        conf = write_conf(wd, sim)
        names = {s["name"]: sid for sid, s in sim.truth(time.time(), 60)["skills"].items()}
        expect(len(names) == 5, "the simulator's skills: %s" % names)
        total = 0
        for only in (None, {"support voice", "dialer campaign"}):
            filt = [] if only is None else ["--skill", "SUPPORT voice", "--skill",
                                            "Dialer Campaign"]
            until = h.parse_iso(iso(time.time() - 1))
            base = filt + ["--since", "3m", "--until", iso(until)]
            doc = json.loads(skills_query(ctx, conf, base + ["--format", "json"]))
            total += compare_skills(sim, skills_from_json(doc),
                                    h.parse_iso(doc["live_at"]),
                                    h.parse_iso(doc["since"]), until, only=only)
            text = skills_query(ctx, conf, base + ["--format", "csv"])
            expect(text.startswith("type,scope,skill_id,skill,figure,unit,start,"
                                   "end,value\n"), "csv header: %r" % text[:80])
            rows = list(csv.DictReader(io.StringIO(text, newline="")))
            got, instants = skills_from_csv(rows)
            ids_to_names = {v: k for k, v in names.items()}
            for sid in set(got) - {"all"}:
                scopes = {r["scope"] for r in rows if r["skill_id"] == sid}
                expect(scopes == {"skill-" + h.sanitize(ids_to_names[sid])},
                       "csv scope of skill %s: %s" % (sid, scopes))
            expect(h.parse_iso(instants["summary"][0]) == h.parse_iso(doc["since"])
                   and abs(h.parse_iso(instants["summary"][1]) - until) < 0.002,
                   "csv summary range %s" % (instants["summary"],))
            total += compare_skills(sim, got, h.parse_iso(instants["live"][0]),
                                    h.parse_iso(doc["since"]), until, only=only)
            text = skills_query(ctx, conf, base)
            m = re.search(r"live at (\S+);", text)
            expect(m, "no live instant in the table:\n" + text[:500])
            got = skills_from_table(text, names)
            total += compare_skills(sim, got, h.parse_iso(m.group(1)),
                                    h.parse_iso(doc["since"]), until, table=True,
                                    only=only)
            for head in [i for i, l in enumerate(text.splitlines())
                         if l.startswith("SKILL")]:
                body = text.splitlines()[head:head + len(got) + 1]
                expect(len(set(len(l) for l in body)) == 1,
                       "table not aligned:\n" + "\n".join(body))
        rc, out, err = query(ctx, ["-c", conf, "skills", "--skill", "Nope",
                                   "--format", "json"])
        expect(rc == 0 and json.loads(out)["skills"] == {}
               and 'no skill named "Nope"' in err,
               "unknown --skill: rc %d, %s" % (rc, err))
        print("    %d skill figures in three formats equal the ground truth, "
              "--skill filters" % total)
    finally:
        sim.stop()


def test_query_skills_errors(ctx, wd):
    """skills: 403 from either endpoint (exit 4 and the permission's
    hint), 404 (exit 5), 5xx (exit 6), a bad --since or --until and
    misplaced options (exit 1); no secret printed."""
    sim = start_sim(ctx, wd, agents=6)
    try:
        conf = write_conf(wd, sim)
        cases = 0
        for name, args, code, pattern, faulty in (
                ("403 on skills/activity", [], 4,
                 "permission to view skill activity", ("403", 1, "skills/activity")),
                ("403 on skills/summary", [], 4,
                 "permission to view skill summaries", ("403", 1, "skills/summary")),
                ("500 on skills/summary", [], 6, "HTTP 500",
                 ("500", 1, "skills/summary")),
                ("404", ["--api-endpoint", sim.url + "/nowhere"], 5,
                 "does not serve skills", None),
                ("bad --since", ["--since", "soon"], 1, "--since: expected", None),
                ("bad --until", ["--until", "later"], 1, "--until: expected", None),
                ("empty range", ["--since", iso(time.time() - 10), "--until",
                                 iso(time.time() - 60)], 1, "the range must", None),
                ("future", ["--until", iso(time.time() + 3600)], 1,
                 "the range must", None),
                ("--team", ["--team", "Support"], 1, "belong to `history`", None),
                ("bad --format", ["--format", "xml"], 1, "--format", None)):
            if faulty:
                fault(sim, *faulty)
            rc, out, err = query(ctx, ["-c", conf, "skills"] + args)
            fault(sim, "clear")
            expect(rc == code and pattern in out + err,
                   "%s: rc %d (want %d), %r not in:\n%s" % (
                       name, rc, code, pattern, (out + err)[-1500:]))
            expect(code == 0 or not out.strip(), "%s: output on failure" % name)
            cases += 1
        rc, _, err = query(ctx, ["-c", conf, "history", "--skill", "x"])
        expect(rc == 1 and "--skill belongs to `skills`" in err,
               "history --skill: rc %d %s" % (rc, err))
        rc, out, _ = query(ctx, ["skills", "--help"])
        expect(rc == 0 and "usage: cxone-query [SETTINGS] skills" in out,
               "skills --help: rc %d" % rc)
        print("    %d skills error cases with their messages and exit codes"
              % (cases + 2))
    finally:
        sim.stop()


TESTS = h.tests(
    test_query_history_truth,
    test_query_since_today,
    test_query_formats,
    test_query_hostile_names,
    test_query_equals_plugin,
    test_query_errors,
    test_query_cacert_replaces_system_trust,
    test_query_skills_truth,
    test_query_skills_formats,
    test_query_skills_errors,
    test_query_valgrind,
)
