"""The core end-to-end tests: collectd + the cxone plugin + cxone-sim over
HTTPS, and the helpers they share.

Each test takes (ctx, wd) (run.py's Context and the test's harness.Workdir),
starts its own simulator and collectd on free loopback ports, runs several
read cycles with live state changes, then compares every value the daemon
wrote (csv plugin) with the simulator's ground truth at that value's
timestamp (run_scenario, check_against_truth).  Also here: API variants,
reporting lag, scope options, colliding names, threshold alerts, faults,
slow answers, several tenants at once, secrets in logs and core dumps, bad
configurations, the simulator's self-check, and the sanitizer and valgrind
runs.  TESTS lists them in the order run.py runs them.
"""

import os
import re
import subprocess
import sys
import time
import urllib.parse

import harness as h
from harness import expect

WINDOW = 300          # seconds: the simulated "day" is 864 s at scale 0.01
RUN_SECONDS = 22


def read_failures(log):
    return re.findall(r"read-function of plugin `cxone[^']*' failed", log)


def run_scenario(ctx, wd, sim_args=(), extra="", run_seconds=RUN_SECONDS,
                 wrapper=(), env=None, plugin_dir=None, midrun=None,
                 window=WINDOW, interval=1, agents=24, teams=4, time_scale=0.01,
                 blocks=None, extra_plugins=""):
    """Sim + collectd for run_seconds; returns (sim, collectd, log, series).
    blocks(sim), when given, returns the <Tenant> blocks to use."""
    sim = h.Sim(ctx.sim_bin, wd.path, args=sim_args, agents=agents,
                teams=teams, time_scale=time_scale)
    try:
        block = (blocks(sim) if blocks else
                 h.tenant_block(sim, window=window, interval=interval, extra=extra))
        cd = h.Collectd(wd.path, plugin_dir or ctx.plugin_dir, block,
                        interval=interval, wrapper=wrapper, env=env,
                        extra_plugins=extra_plugins).start()
        try:
            t0 = time.time()
            if midrun:
                time.sleep(run_seconds / 2)
                midrun(sim)
            time.sleep(max(0, run_seconds - (time.time() - t0)))
            expect(cd.proc.alive(), "collectd exited early:\n" + cd.output()[-3000:])
        finally:
            rc = cd.stop()
        log = cd.output()
        expect(rc == 0, "collectd exit status %s:\n%s" % (rc, log[-3000:]))
        series = h.read_csv(cd.csv_dir)
        return sim, cd, log, series
    except Exception:
        sim.stop()
        raise


def check_against_truth(sim, series, log, min_instants=5, per_agent=True,
                        window=WINDOW, scopes_fn=None, reason_label=None,
                        zone=None):
    expect(not read_failures(log), "read callback failed: %s" % read_failures(log))
    expect(not series.malformed, "malformed csv lines: %s" % series.malformed[:3])
    cmp = h.compare(series, sim, window, scopes_fn=scopes_fn,
                    reason_label=reason_label, zone=zone)
    print("    " + cmp.summary())
    expect(cmp.checked > 0, "no values to compare; log:\n" + log[-3000:])
    durations = [k for k in series if k[1] == "duration" and not k[2].startswith("current-")
                 and k[0] != "api"]
    expect(durations, "no duration series were dispatched; log:\n" + log[-3000:])
    expect(len(cmp.times) >= min_instants,
           "only %d instants compared" % len(cmp.times))
    # (A label other than the agent id, AgentLabel name, has no timeline.)
    if (cmp.mismatches and cmp.first_agent is not None
            and cmp.first_agent[0].isdigit()):
        agent, t = cmp.first_agent
        print("    true timeline of agent %s before %.3f: %s" % (
            agent, t, sim.timeline(agent, t)))
    expect(not cmp.mismatches, "values differ from the ground truth")
    missing = h.missing_series(series, sim, window, per_agent=per_agent,
                               scopes_fn=scopes_fn)
    expect(not missing, "missing series: %s" % ", ".join(missing[:10]))
    return cmp


# ---- tests ----------------------------------------------------------------

def test_core_token_expiry(ctx, wd):
    """Default semantics; tokens expire (ttl 8 s) and are revoked mid-run."""
    sim, cd, log, series = run_scenario(
        ctx, wd, sim_args=["--token-ttl", "8"],
        midrun=lambda s: s.get("/sim/revoke-tokens"))
    try:
        check_against_truth(sim, series, log)
        stats = sim.get("/sim/stats")
        expect(stats["tokens_issued"] >= 3,
               "expected re-authentication (ttl and revoke), tokens issued: %s"
               % stats["tokens_issued"])
        expect("401" in stats["status"], "the revoke did not cause a 401")
        up = series.get(("api", "gauge", "up"), [])
        expect(up and up[-1][1] == 1.0, "api/gauge-up is not 1 at the end")
        check_demo_view(cd, sim, series)
    finally:
        sim.stop()


def check_demo_view(cd, sim, series):
    """scripts/demo-view (the demo's wallboard) over the run's csv files:
    a row per agent the truth holds, with the truth's team."""
    r = subprocess.run([sys.executable, os.path.join(h.ROOT, "scripts", "demo-view"),
                        "--csv", os.path.join(cd.csv_dir, "simtenant"),
                        "--seconds", "0.5", "--interval", "1"],
                       capture_output=True, text=True, timeout=60)
    expect(r.returncode == 0, "demo-view failed: %s" % r.stderr[-500:])
    rows = {}
    for line in r.stdout.splitlines():
        cells = line.split()
        if len(cells) >= 4 and re.match(r"^\d+:\d\d:\d\d$", cells[3]):
            rows[cells[0]] = cells[1]
    t = max(p[-1][0] for p in series.values())
    truth = sim.truth(t, WINDOW)
    want = {h.sanitize(aid): h.sanitize(a["team"]) for aid, a in truth["agents"].items()}
    expect(rows == want, "demo-view agents and teams %s, the truth's %s"
           % (sorted(rows.items())[:4], sorted(want.items())[:4]))


def truth_test(ctx, wd, after=None, **scenario):
    """Runs a scenario, compares everything with the ground truth, then
    after(sim, series) for the test's own checks."""
    sim, cd, log, series = run_scenario(ctx, wd, **scenario)
    try:
        check_against_truth(sim, series, log)
        if after:
            after(sim, series)
    finally:
        sim.stop()


def requests_of(sim, endpoint):
    return sim.get("/sim/stats")["requests"].get(endpoint, 0)


def test_variant_exclude_open_seconds_teamno(ctx, wd):
    truth_test(ctx, wd, sim_args=[
        "--history-straddle", "exclude", "--open-state", "open",
        "--duration-format", "seconds", "--team-field", "teamNo"])


def test_variant_partial_empty200_paging(ctx, wd):
    def paged(sim, series):
        n = requests_of(sim, "agents/state-history")
        expect(n > 10, "paging was not exercised: %d requests" % n)
    truth_test(ctx, wd, after=paged, sim_args=[
        "--open-state", "partial", "--empty-history", "200",
        "--no-change", "200", "--page-size", "37", "--team-field", "both"])


def test_variant_per_agent_post_204(ctx, wd):
    def fell_back(sim, series):
        expect(requests_of(sim, "agent/state-history") > 0,
               "the per-agent fallback was not used")
    truth_test(ctx, wd, after=fell_back, agents=12,
               sim_args=["--all-agents-history", "no", "--client-auth", "post",
                         "--no-change", "204", "--history-straddle", "exclude"],
               extra='    ClientAuth "post"\n')


# With reporting lag, a state shorter than the poll interval is unknown until
# history brings it; the lag tests therefore run the day at 1/10 speed, where
# states last 1 s and more (at 1/100 most After Call Work lasts under 1 s).
def test_history_lag(ctx, wd):
    """History trails real time by 6 s (reporting lag): window durations use
    real-time observations provisionally and stay exact."""
    truth_test(ctx, wd, time_scale=0.1, sim_args=[
        "--history-lag", "6", "--open-state", "partial"])


def test_history_lag_exclude(ctx, wd):
    """Lag plus states that began before startDate left out of history.
    Agent 1001 is held so that, at start-up, the state it just left began
    after the window start, is still hidden by the lag, and is its only
    record since the backfill start: only a per-agent reach-back finds it."""
    def blocks(sim):
        # The first hold straddles the backfill start (now - 1200 s); the
        # second began before the longest overlap (600 s) and ended just
        # before start-up, hidden by the lag.
        sim.get("/sim/hold", agent="1001", state="Unavailable", reason="Lunch",
                **{"from": "-1300", "until": "-700"})
        sim.get("/sim/hold", agent="1001", state="Unavailable", reason="Break",
                **{"from": "-700", "until": "-2"})
        # LookBack must exceed the longest state (a lunch lasts up to 6 min
        # at 1/10 speed): with "exclude" a state that began before the
        # backfill start is never returned.
        return h.tenant_block(sim, extra="    LookBack 900\n")

    def became_ready(sim, series):
        expect(("agent-1001", "duration", "Unavailable-Break") in series,
               "no window durations for agent 1001")
    truth_test(ctx, wd, time_scale=0.1, blocks=blocks, after=became_ready,
               sim_args=["--history-lag", "4", "--history-straddle", "exclude"])


def test_scope_options(ctx, wd):
    """Two tenant blocks on one simulator: Team filters with AgentLabel
    username; Agent filters with PerAgent false.  Each block's agent, team
    and "all" figures equal the truth summed over its own agents."""
    def blocks(sim):
        return (h.tenant_block(sim, name="filtered", extra=(
                    '    Team "Tier 1"\n    Team "support"\n'
                    '    AgentLabel "username"\n'))
                + h.tenant_block(sim, name="three", extra=(
                    '    Agent 1001 1002\n    Agent "1003"\n'
                    '    PerAgent false\n')))
    sim, cd, log, _ = run_scenario(ctx, wd, blocks=blocks)
    try:
        agents = sim.api("agents?top=1000")["agents"]
        teams = {str(a["agentId"]): a["teamName"] for a in agents}
        users = {str(a["agentId"]): h.sanitize(a["userName"]) for a in agents}
        in_teams = [a for a, t in teams.items() if t in ("Tier 1", "Support")]
        expect(len(in_teams) >= 2, "the simulator has no Tier 1/Support agents")
        filtered = h.read_csv(cd.csv_dir, host="filtered")
        check_against_truth(sim, filtered, log, scopes_fn=h.filtered_scopes(
            in_teams, label=lambda aid: users[aid]))
        # Skills belong to no team: Team and Agent leave them all in.
        skills = {"skill-" + h.sanitize(sk["name"])
                  for sk in sim.truth(time.time(), WINDOW)["skills"].values()}
        scopes = {k[0] for k in filtered}
        expect(scopes == {"agent-" + users[a] for a in in_teams}
               | {"team-Tier_1", "team-Support", "all", "api"} | skills,
               "unexpected scopes for the Team filter: %s" % sorted(scopes))
        three = h.read_csv(cd.csv_dir, host="three")
        check_against_truth(sim, three, log, per_agent=False,
                            scopes_fn=h.filtered_scopes([1001, 1002, 1003]))
        scopes = {k[0] for k in three}
        expect(not any(s.startswith("agent-") for s in scopes),
               "PerAgent false still dispatched per-agent series")
        expect({"team-" + h.sanitize(teams[a]) for a in ("1001", "1002", "1003")}
               | {"all", "api"} | skills == scopes,
               "unexpected scopes for the Agent filter: %s" % sorted(scopes))
    finally:
        sim.stop()


# Names that collide once sanitised or cut to 63 bytes, and the labels the
# rule of cx_names.h gives them, spelled out (not recomputed) so that the
# test pins the rule: the lowest id keeps the name, the others get "-<id>";
# a real name equal to such a suffixed label is suffixed in turn.  Reasons
# have no id of their own: their suffix is the FNV-1a hash of the raw name.
LONG_TEAM = ("Customer Escalations & Complaints (North-West Region) "
             "Weekend Late Shift ")
COLLIDING_TEAMS = [  # (team id, raw name, plugin label)
    (2472001, "Tier 1 / Voice", "Tier_1___Voice"),
    (2472002, "Tier 1 | Voice", "Tier_1___Voice-2472002"),
    (2472003, "Sales/A", "Sales_A"),
    (2472004, "Sales A", "Sales_A-2472004"),
    (2472005, LONG_TEAM + "A",
     "Customer_Escalations___Complaints__North-West_Region__Weekend_L"),
    (2472006, LONG_TEAM + "B",
     "Customer_Escalations___Complaints__North-West_Region__W-2472006"),
    (2472007, "Tier_1___Voice-2472002", "Tier_1___Voice-2472002-2472007"),
]
# --reason-names renames Break, Lunch and After Call Work; the other three
# keep their names.
COLLIDING_REASONS = [  # (raw name, plugin label)
    ("Lunch break", "Lunch_break-e9ad2040"),  # FNV-1a e9ad2040
    ("Lunch/break", "Lunch_break"),           # FNV-1a 32f2418f, the lower
    ("Lunch_break-e9ad2040", "Lunch_break-e9ad2040-b0d5f8f3"),
    ("Training", "Training"),
    ("Meeting", "Meeting"),
    ("Personal", "Personal"),
]
# With 194 agents and AgentLabel "name", agents 1193 and 1194 have the names
# of 1001 and 1002 (the simulator has 16 x 12 = 192 first/last pairs).
COLLIDING_AGENTS = {"1193": "1001", "1194": "1002"}


def test_colliding_names(ctx, wd):
    """Teams, Unavailable reasons and agent names that collide once
    sanitised or cut (issue 8) each keep a series of their own: collectd
    never logs "Value too old", no identifier is dispatched twice at one
    timestamp, and every series equals the truth of its own team (by id),
    reason (by raw name) and agent (by id)."""
    team_label = {tid: label for tid, _, label in COLLIDING_TEAMS}
    team_name = {tid: name for tid, name, _ in COLLIDING_TEAMS}
    reason_label = dict(COLLIDING_REASONS)
    held = {"1001": "Lunch break", "1002": "Lunch/break",
            "1003": "Lunch_break-e9ad2040"}

    def blocks(sim):
        # Each renamed reason is current for someone and has time in the
        # window, so its count, duration and current- series all appear.
        for agent, reason in held.items():
            sim.get("/sim/hold", agent=agent, state="Unavailable",
                    reason=reason, **{"from": "-40", "until": "+600"})
        return h.tenant_block(sim, extra='    AgentLabel "name"\n')
    sim_args = ["--team-names", ",".join(n for _, n, _ in COLLIDING_TEAMS),
                "--reason-names", ",".join(n for n, _ in COLLIDING_REASONS[:3])]
    sim, cd, log, series = run_scenario(
        ctx, wd, blocks=blocks, agents=194, teams=len(COLLIDING_TEAMS),
        sim_args=sim_args)
    try:
        roster = sim.api("agents?top=1000")["agents"]
        names = {str(a["agentId"]): "%s %s" % (a["firstName"], a["lastName"])
                 for a in roster}
        agent_label = {aid: h.sanitize(n) for aid, n in names.items()}
        for aid, twin in COLLIDING_AGENTS.items():
            expect(names[aid] == names[twin], "agents %s and %s no longer share "
                   "a name: %s, %s" % (aid, twin, names[aid], names[twin]))
            agent_label[aid] += "-" + aid
        expect(len(set(agent_label.values())) == len(agent_label),
               "more agent names collide than COLLIDING_AGENTS says")

        too_old = [l for l in log.splitlines() if "Value too old" in l]
        expect(not too_old, "collectd refused values: %s" % too_old[:3])
        twice = []
        for key, points in series.items():
            times = [t for t, _ in points]
            twice += [(key, t) for t in sorted(set(times)) if times.count(t) > 1]
        expect(not twice and not series.malformed,
               "identifiers dispatched twice at one timestamp: %s %s"
               % (twice[:5], series.malformed[:3]))

        def scopes_fn(truth):
            for tname, t in truth["teams"].items():
                expect(team_name[t["id"]] == tname,
                       "team %s is %r in the truth" % (t["id"], tname))
            return h.truth_scopes(truth, agent_label=agent_label.get,
                                  team_label=lambda tid, _: team_label[tid])
        check_against_truth(sim, series, log, scopes_fn=scopes_fn,
                            reason_label=reason_label.get)
        scopes = {k[0] for k in series}
        expected = ({"team-" + l for l in team_label.values()}
                    | {"agent-" + l for l in agent_label.values()}
                    | {"skill-" + h.sanitize(sk["name"]) for sk in
                       sim.truth(time.time(), WINDOW)["skills"].values()}
                    | {"all", "api"})
        expect(scopes == expected, "scopes: missing %s, unexpected %s" % (
            sorted(expected - scopes)[:8], sorted(scopes - expected)[:8]))
        for agent, reason in held.items():
            ti = "Unavailable-" + reason_label[reason]
            for key in (("all", "count", ti), ("all", "duration", ti),
                        ("agent-" + agent_label[agent], "duration",
                         "current-" + ti)):
                expect(key in series, "no series %s/%s-%s" % key)
        print("    %d teams, %d renamed reasons and %d agent pairs kept apart"
              % (len(COLLIDING_TEAMS), len(held), len(COLLIDING_AGENTS)))
    finally:
        sim.stop()


def test_threshold_alerts(ctx, wd):
    """conf/thresholds.conf as shipped, with collectd's threshold plugin:
    (a) an agent the simulator holds Unavailable (Break) for over 15 minutes
    raises a WARNING naming the agent, and an OKAY once released; (b) team
    Support with fewer than 3 agents Available raises a FAILURE; (c) agents
    log off during the run and no "missing" notification appears."""
    held = None  # the Support agent held Unavailable, chosen by setup

    def setup(sim):
        nonlocal held
        agents = sim.api("agents?top=1000")["agents"]
        support = [str(a["agentId"]) for a in agents if a["teamName"] == "Support"]
        held = support[0]
        # Unavailable since 1000 s ago, released 10 s into the run.
        sim.get("/sim/hold", agent=held, state="Unavailable", reason="Break",
                **{"from": "-1000", "until": "+10"})
        # Every other Support agent held Unavailable too: none Available.
        for a in support[1:]:
            sim.get("/sim/hold", agent=a, state="Unavailable",
                    **{"from": "-60", "until": "+300"})
        return h.tenant_block(sim)
    thresholds = os.path.join(h.ROOT, "conf", "thresholds.conf")
    sim, cd, log, series = run_scenario(
        ctx, wd, blocks=setup, run_seconds=20,
        extra_plugins='Include "%s"\n' % thresholds)
    try:
        notes = [l for l in log.splitlines() if "Notification:" in l]
        warn = [l for l in notes if "severity = WARNING" in l
                and "plugin_instance = agent-%s," % held in l
                and "type_instance = current-Unavailable," in l]
        expect(warn, "no WARNING for agent %s held Unavailable:\n%s"
               % (held, "\n".join(notes[-20:])))
        okay = [l for l in notes if "severity = OKAY" in l
                and "plugin_instance = agent-%s," % held in l
                and "type_instance = current-Unavailable," in l]
        expect(okay and log.index(okay[-1]) > log.index(warn[0]),
               "no OKAY after agent %s was released" % held)
        fail = [l for l in notes if "severity = FAILURE" in l
                and "plugin_instance = team-Support," in l
                and "type = count" in l and "type_instance = Available" in l]
        expect(fail, "no FAILURE for team Support with no agent Available")
        missing = [l for l in notes if "has not been updated" in l
                   or "missing" in l.lower()]
        expect(not missing, "spurious missing notifications: %s" % missing[:3])
        logged_off = sim.truth(time.time(), WINDOW)["all"]["counts"]["LoggedOut"]
        expect(logged_off > 0, "no agent was logged off during the run")
        check_against_truth(sim, series, log)
        print("    WARNING and OKAY for agent-%s, FAILURE for team-Support, "
              "no missing-series notification with %d agents logged off"
              % (held, logged_off))
    finally:
        sim.stop()


# ---- queue and occupancy thresholds (conf/thresholds.conf) --------------------

SUPPORT_VOICE = "Support Voice"


def skill_holders(sim, skill_name):
    """The agent ids that hold skill_name (agents/skills), and the skill id."""
    rows = sim.api("agents/skills?top=1000")["agentSkillAssignments"]
    ids = sorted({str(r["agentId"]) for r in rows if r["skillName"] == skill_name})
    skill = {str(r["skillId"]) for r in rows if r["skillName"] == skill_name}
    expect(ids and len(skill) == 1, "no agent holds %s: %s" % (skill_name, rows[:3]))
    return ids, skill.pop()


def iso(t):
    return "%.3f" % t


def threshold_notes(log, pinst, typ, ti):
    """The notifications of one series, in log order: [(severity, line)]."""
    out = []
    for line in log.splitlines():
        if ("Notification:" in line and "plugin_instance = %s," % pinst in line
                and "type = %s," % typ in line and "type_instance = %s," % ti in line):
            m = re.search(r"severity = (\w+)", line)
            out.append((m.group(1) if m else "?", line))
    return out


def expect_raised_and_cleared(log, pinst, typ, ti):
    """A WARNING or FAILURE for the series, then an OKAY after it."""
    notes = threshold_notes(log, pinst, typ, ti)
    raised = [i for i, (sev, _) in enumerate(notes) if sev in ("WARNING", "FAILURE")]
    expect(raised, "no WARNING/FAILURE for %s %s-%s; its notifications: %s; last ones:\n%s" % (
        pinst, typ, ti, [n for n, _ in notes],
        "\n".join([l for l in log.splitlines() if "Notification:" in l][-10:])))
    okay = [i for i, (sev, _) in enumerate(notes) if sev == "OKAY" and i > raised[0]]
    expect(okay, "no OKAY for %s %s-%s after its %s: %s" % (
        pinst, typ, ti, notes[raised[0]][0], [n for n, _ in notes]))
    missing = [l for l in log.splitlines() if "Notification:" in l
               and "has not been updated" in l]
    expect(not missing, "spurious missing notifications: %s" % missing[:3])
    return [n for n, _ in notes]


def thresholds_plugins():
    return 'Include "%s"\n' % os.path.join(h.ROOT, "conf", "thresholds.conf")


def test_threshold_longest_wait(ctx, wd):
    """conf/thresholds.conf's longest wait > 60 s: one contact on Support
    Voice has waited longer than a minute when collectd starts (WARNING for
    skill-Support_Voice) and is answered a few seconds in (OKAY).  At time
    scale 20 waits run to minutes; every other holder of the skill is held
    Unavailable so that this contact is the queue; its answer instant is
    picked so that the simulator's wait for it is long enough."""
    answer = None
    wait_at_start = None

    def setup(sim):
        nonlocal answer, wait_at_start
        holders, skill = skill_holders(sim, SUPPORT_VOICE)
        # No other answer on the skill for longer than any wait (40 min at
        # this scale): the held contact is the queue.
        t0 = time.time()
        for a in holders[1:]:
            sim.get("/sim/hold", agent=a, state="Unavailable", **{
                "from": iso(t0 - 600), "until": iso(t0 + 4000)})
        agent = holders[0]
        for k in range(200):
            t0 = time.time()
            t_answer = t0 + 14 + k * 0.001
            sim.get("/sim/hold", agent=agent, clear="1")
            sim.get("/sim/hold", agent=agent, state="Unavailable", **{
                "from": iso(t0 - 600), "until": iso(t_answer)})
            sim.get("/sim/hold", agent=agent, state="InboundContact", **{
                "from": iso(t_answer), "until": iso(t_answer + 20)})
            sim.get("/sim/hold", agent=agent, state="Unavailable", **{
                "from": iso(t_answer + 20), "until": iso(t0 + 4000)})
            live = sim.get("/sim/truth", end=iso(t0 + 3), window="60")["skills"][skill]["live"]
            after = sim.get("/sim/truth", end=iso(t_answer + 1), window="60")["skills"][skill]["live"]
            if live["longest_wait"] > 75 and after["queue"] == 0:
                answer, wait_at_start = t_answer, live["longest_wait"]
                print("    try %d: a contact waiting %.0f s at start, answered at +14 s"
                      % (k + 1, live["longest_wait"]))
                break
        expect(answer, "no answer instant gives a wait over 75 s")
        return h.tenant_block(sim)
    sim, cd, log, series = run_scenario(
        ctx, wd, blocks=setup, run_seconds=24, agents=6, teams=3, time_scale=20,
        sim_args=("--abandon-percent", "0"), extra_plugins=thresholds_plugins())
    try:
        sev = expect_raised_and_cleared(log, "skill-Support_Voice", "duration", "longest_wait")
        lw = series.get(("skill-Support_Voice", "duration", "longest_wait"), [])
        expect(lw and max(v for _, v in lw) > 60 and lw[-1][1] == 0,
               "longest_wait dispatched: %s" % lw[-5:])
        check_against_truth(sim, series, log)
        print("    skill-Support_Voice longest_wait %s: up to %.0f s, then 0 after the answer"
              % ("/".join(sev), max(v for _, v in lw)))
    finally:
        sim.stop()


def midnight_scale(lead, span):
    """A --time-scale whose tenant midnight falls lead to lead + span
    seconds from now, and that midnight (epoch seconds).  The simulator's
    day is llround(86400000 x F) ms and days start at its multiples."""
    now = time.time()
    for day_ms in range(864000000 - 1, 0, -1):     # scale just under 10
        k = int(now * 1000 // day_ms) + 1
        midnight = k * day_ms / 1000.0
        if now + lead <= midnight <= now + lead + span:
            return repr(day_ms / 86400000.0), midnight
    raise AssertionError("no scale")


def test_threshold_service_level(ctx, wd):
    """conf/thresholds.conf's service level < 80 %: with half the contacts
    abandoning, Support Voice's service level since the start of the
    tenant day is far under 80 % (WARNING for skill-Support_Voice); at the
    tenant's midnight, a few seconds into the run (a time scale just under
    10 puts it there), the day starts again and, with every holder of the
    skill held Unavailable, no contact ends queueing: 100 % (OKAY)."""
    scale, midnight = midnight_scale(14, 6)
    sl = {}

    def setup(sim):
        holders, skill = skill_holders(sim, SUPPORT_VOICE)
        t0 = time.time()
        for a in holders:
            sim.get("/sim/hold", agent=a, state="Unavailable", **{
                "from": iso(t0 - 300), "until": iso(midnight + 20000)})
        sl["before"] = sim.get("/sim/truth", end=iso(t0 + 2), window="60")[
            "skills"][skill]["live"]["service_level"]
        sl["after"] = sim.get("/sim/truth", end=iso(midnight + 1), window="60")[
            "skills"][skill]["live"]["service_level"]
        expect(sl["before"] < 75 and sl["after"] == 100,
               "service level %s before the tenant midnight, %s after" % (
                   sl["before"], sl["after"]))
        return h.tenant_block(sim)
    run_for = midnight - time.time() + 8
    sim, cd, log, series = run_scenario(
        ctx, wd, blocks=setup, run_seconds=run_for, agents=6, teams=3,
        time_scale=float(scale), sim_args=("--abandon-percent", "50"),
        extra_plugins=thresholds_plugins())
    try:
        sev = expect_raised_and_cleared(log, "skill-Support_Voice", "percent", "service_level")
        vals = series.get(("skill-Support_Voice", "percent", "service_level"), [])
        expect(vals and vals[0][1] < 80 and vals[-1][1] == 100,
               "service_level dispatched: %s .. %s" % (vals[:2], vals[-2:]))
        check_against_truth(sim, series, log)
        print("    skill-Support_Voice service_level %s: %.0f %% before the tenant "
              "midnight (scale %s), 100 %% after" % ("/".join(sev), sl["before"], scale))
    finally:
        sim.stop()


def test_threshold_occupancy(ctx, wd):
    """conf/thresholds.conf's occupancy > 90 % (tenant): every agent held on
    a contact for longer than the 60 s window makes cxone-all's occupancy
    100 % (WARNING); held Available from 10 s into the run, it falls under
    90 % once 6 s of the window are Available (OKAY)."""
    def setup(sim):
        agents = sim.api("agents?top=1000")["agents"]
        t0 = time.time()
        for a in agents:
            aid = str(a["agentId"])
            sim.get("/sim/hold", agent=aid, state="InboundContact", **{
                "from": iso(t0 - 200), "until": iso(t0 + 12)})
            sim.get("/sim/hold", agent=aid, state="Available", **{
                "from": iso(t0 + 12), "until": iso(t0 + 300)})
        return h.tenant_block(sim, window=60)
    sim, cd, log, series = run_scenario(
        ctx, wd, blocks=setup, run_seconds=26, agents=6, teams=3, window=60,
        extra_plugins=thresholds_plugins())
    try:
        sev = expect_raised_and_cleared(log, "all", "percent", "occupancy")
        occ = series.get(("all", "percent", "occupancy"), [])
        expect(occ and max(v for _, v in occ) > 90 and occ[-1][1] <= 90,
               "occupancy dispatched: %s" % occ[-5:])
        check_against_truth(sim, series, log, window=60)
        print("    all occupancy %s: %.0f %% while every agent was on a contact, "
              "%.0f %% at the end" % ("/".join(sev), max(v for _, v in occ), occ[-1][1]))
    finally:
        sim.stop()


def test_transient_faults_keep_data(ctx, wd):
    """429, 5xx, truncated and malformed bodies: logged, no read failure,
    previous data kept, exact again after recovery."""
    def faults(sim):
        for kind in ("429", "500", "503", "truncated", "malformed"):
            sim.fault(kind, count=2)
            time.sleep(1.2)
    sim, cd, log, series = run_scenario(ctx, wd, midrun=faults, run_seconds=26)
    try:
        check_against_truth(sim, series, log)
        expect(re.search(r"cxone plugin: tenant \"simtenant\":.*keeping the last good data", log),
               "the fault episode was not logged")
        up = series.get(("api", "gauge", "up"), [])
        expect(any(v == 0.0 for _, v in up), "api/gauge-up never showed the faults")
        expect(up[-1][1] == 1.0, "api/gauge-up did not recover")
    finally:
        sim.stop()


def test_slow_answers_deadline(ctx, wd):
    """Every API answer takes 3.3 s, Interval 5, Timeout 5, history in pages
    of 5 records (5 agents: agents/states fits one page): each read ends
    within Timeout, reads start no further apart than Interval + Timeout,
    and collectd exits within Timeout + 2 s of SIGTERM."""
    interval = timeout = 5.0
    sim = h.Sim(ctx.sim_bin, wd.path, args=("--page-size", "5"),
                agents=5, time_scale=0.01)
    try:
        block = h.tenant_block(sim, window=WINDOW, interval=interval,
                               extra="    Timeout %g" % timeout)
        cd = h.Collectd(wd.path, ctx.plugin_dir, block, interval=interval).start()
        try:
            time.sleep(2)  # let it authenticate, then slow everything down
            sim.fault("slow", count=100000, delay_ms=3300)
            time.sleep(26)
            expect(cd.proc.alive(), "collectd exited early:\n" + cd.output()[-3000:])
        finally:
            t0 = time.time()
            rc = cd.stop()
            stop_s = time.time() - t0
        log = cd.output()
        expect(rc == 0, "collectd exit status %s:\n%s" % (rc, log[-3000:]))
        print("    exit %.1f s after SIGTERM" % stop_s)
        expect(stop_s <= timeout + 2, "collectd took %.1f s to exit after SIGTERM "
               "(Timeout %g s)" % (stop_s, timeout))
        expect(not read_failures(log), "read callback failed")
        arrivals = [float(line.split()[5]) for line in sim.proc.output().splitlines()
                    if line.startswith("cxone-sim: GET ") and
                    line.split()[2].endswith("/agents/states")]
        # The read due before SIGTERM must have started too.
        starts = [a for a in arrivals if a <= t0] + [t0]
        gaps = [b - a for a, b in zip(starts, starts[1:])]
        expect(len(gaps) >= 3, "too few reads: %d" % len(arrivals))
        print("    %d reads, longest gap between read starts %.1f s" % (
            len(arrivals), max(gaps)))
        expect(max(gaps) <= interval + timeout,
               "reads started %.1f s apart (Interval %g + Timeout %g)" % (
                   max(gaps), interval, timeout))
        series = h.read_csv(cd.csv_dir)
        cycles = [v for _, v in series.get(("api", "duration", "cycle"), [])]
        expect(cycles, "no api cycle series")
        print("    longest read %.2f s" % max(cycles))
        expect(max(cycles) <= timeout, "a read took %.2f s (Timeout %g s)" % (
            max(cycles), timeout))
    finally:
        sim.stop()


# Several tenants at once (issue 9): one simulator per <Tenant> block, each
# with a seed, a size and API semantics of its own, and a Host of its own.
PARALLEL_TENANTS = [
    # (block name, Host, seed, agents, teams, simulator options, block keys
    # with %(localhost_url)s for the simulator's URL with host localhost)
    ("alpha", "tenant-alpha", 7, 24, 4, ["--token-ttl", "8"], ""),
    ("bravo", "tenant-bravo", 11, 12, 3,
     ["--all-agents-history", "no", "--client-auth", "post",
      "--no-change", "204", "--history-straddle", "exclude"],
     # The API as localhost: libcurl resolves it on a thread of its own.
     '    ClientAuth "post"\n    ParallelRequests 3\n'
     '    APIEndpoint "%(localhost_url)s"\n'),
    ("charlie", "tenant-charlie", 23, 40, 5,
     ["--open-state", "partial", "--duration-format", "seconds",
      "--team-field", "teamNo", "--page-size", "37"],
     "    Timeout 4\n"),
]
SLOW_MS = 2500  # one history answer of charlie's, mid-run


def parallel_tenants(ctx, wd, plugin_dir=None, env=None, read_threads=3,
                     run_seconds=RUN_SECONDS, on_running=None):
    """Runs the PARALLEL_TENANTS with collectd's ReadThreads read_threads.
    Mid-run, alpha's tokens are revoked and one state-history answer of
    charlie's takes SLOW_MS.  Checks that every tenant's values, under its
    own Host, equal its own simulator's truth, and that alpha and bravo
    kept polling while charlie's read waited.  on_running(collectd) is
    called once the daemon runs.  Returns collectd's log."""
    sims = {}
    try:
        blocks = ""
        for name, host, seed, agents, teams, args, keys in PARALLEL_TENANTS:
            sub = os.path.join(wd.path, name)
            os.makedirs(sub)
            sims[name] = sim = h.Sim(ctx.sim_bin, sub, seed=seed, agents=agents,
                                     teams=teams, time_scale=0.01,
                                     args=list(args))
            blocks += h.tenant_block(sim, name=name, window=WINDOW, interval=1,
                                     extra='    Host "%s"\n%s' % (host, keys % {
                                         "localhost_url": sim.url.replace(
                                             "127.0.0.1", "localhost")}))
        cd = h.Collectd(wd.path, plugin_dir or ctx.plugin_dir, blocks,
                        interval=1, env=env, read_threads=read_threads).start()
        try:
            t0 = time.time()
            if on_running:
                on_running(cd)
            time.sleep(run_seconds / 2)
            sims["alpha"].get("/sim/revoke-tokens")
            # (Sim.get's own first parameter is called path.)
            sims["charlie"].get("/sim/fault?" + urllib.parse.urlencode({
                "kind": "slow", "count": 1, "delay_ms": SLOW_MS,
                "path": "agents/state-history"}))
            # Taken once the fault is in place: a request that arrived while
            # it was being set is not the slowed one.
            slow_set = time.time()
            time.sleep(max(0, run_seconds - (time.time() - t0)))
            expect(cd.proc.alive(), "collectd exited early:\n" + cd.output()[-3000:])
        finally:
            rc = cd.stop()
        log = cd.output()
        first = log.find("WARNING: ThreadSanitizer:")
        expect(rc == 0, "collectd exit status %s:\n%s" % (
            rc, log[max(0, first - 100):][:6000] if first >= 0 else log[-4000:]))

        # While charlie's read waited for its slow answer, the other two
        # tenants' reads went on (with one read thread they could not).
        slow = [a for a in sims["charlie"].arrivals("agents/state-history")
                if a >= slow_set]
        expect(len(slow) >= 2 and slow[1] - slow[0] >= SLOW_MS / 1000.0 - 0.1,
               "charlie's history answer was not slowed: %s" % slow[:3])
        during = {}
        for name in ("alpha", "bravo"):
            during[name] = len([a for a in sims[name].arrivals("agents/states")
                                if slow[0] < a < slow[0] + SLOW_MS / 1000.0])
        print("    during charlie's %.1f s wait: %s" % (SLOW_MS / 1000.0, ", ".join(
            "%s %d read(s)" % kv for kv in sorted(during.items()))))
        expect(all(n >= 1 for n in during.values()),
               "a tenant stopped polling while another one's read waited")

        hosts = sorted(os.listdir(cd.csv_dir))
        expect(hosts == sorted(t[1] for t in PARALLEL_TENANTS),
               "csv hosts: %s" % hosts)
        checked = mismatches = 0
        for name, host, seed, agents, teams, args, keys in PARALLEL_TENANTS:
            print("    %s (%s, seed %d, %d agents, %d teams):" % (
                name, host, seed, agents, teams))
            cmp = check_against_truth(sims[name], h.read_csv(cd.csv_dir, host=host),
                                      log)
            checked += cmp.checked
            mismatches += len(cmp.mismatches)
            agents_seen = {k[0] for k in h.read_csv(cd.csv_dir, host=host)
                           if k[0].startswith("agent-")}
            expect(len(agents_seen) == agents, "%s: %d agent scopes, expected %d"
                   % (name, len(agents_seen), agents))
        stats = sims["alpha"].get("/sim/stats")
        expect("401" in stats["status"], "alpha's revoked token caused no 401")
        expect(requests_of(sims["bravo"], "agent/state-history") > 0,
               "bravo did not use the per-agent history requests")
        print("    3 tenants: %d values compared, %d mismatches" % (
            checked, mismatches))
        return log
    finally:
        for sim in sims.values():
            sim.stop()


def test_tenants_in_parallel(ctx, wd):
    """Three <Tenant> blocks, each on its own simulator (seeds, sizes and
    API semantics differ: all-agents history with paging, per-agent
    history with client_secret_post, open states with partial durations),
    ReadThreads 3: each tenant's values, under its own Host, equal its own
    simulator's ground truth; alpha re-authenticates mid-run; while one of
    charlie's reads waits 2.5 s for an answer, alpha and bravo go on
    polling."""
    parallel_tenants(ctx, wd)


def test_no_secret_in_logs(ctx, wd):
    sim, cd, log, series = run_scenario(
        ctx, wd, run_seconds=8, sim_args=["--token-ttl", "5"],
        midrun=lambda s: s.fault("401", count=1))
    try:
        sim_log = sim.proc.output()
        for name, secret in h.SIM_CREDENTIALS.items():
            if name.endswith("_id"):
                continue
            expect(secret not in log, "%s appears in collectd's log" % name)
        expect("eyJ" not in log, "something like a JWT appears in collectd's log")
        expect(sim_log is not None, "no sim log")
    finally:
        sim.stop()


# Secrets for the core dump test: every character class that an encoding
# changes (RFC 3986 and form encoding: + / = space % &; base64 of the raw and
# of the encoded forms differ too), with "%41" and "%zz" that a careless
# decoder would turn into something else.
# E2E_VERBOSE_CORES=1: print every token copy with its surroundings and keep
# the dumps in the work directory.
VERBOSE_CORES = os.environ.get("E2E_VERBOSE_CORES") == "1"

CORE_SECRETS = {
    "client_secret": "Cs+9k/Qz=m2 Xr%41&p7Wv+T/eY=Lb 3&Nu%zzQ0h",
    "access_key_secret": "Ak/7h+Rw=Zp4 %2B&q9Mx==Jd/Tc+ 8&Ye%n5Wu",
}


def test_no_secret_in_core_dump(ctx, wd):
    """Secrets read from ...File keys: no core dump of the running daemon
    (gdb's gcore), taken right after the first token requests, mid-run and
    after the tokens were renewed, holds either secret in any encoding it
    travelled in (raw, percent- and form-encoded with either hex case,
    base64(id:secret) of raw or encoded parts), not even a 12-byte piece.
    Two tenants: client_secret_basic against a server that wants the parts
    form-encoded (the plugin sends them raw first, then encoded), and
    client_secret_post with the API on another host name.  Prints where the
    tokens are found."""
    import core_scan
    c = dict(h.SIM_CREDENTIALS, **CORE_SECRETS)
    files = {}
    for name in CORE_SECRETS:
        files[name] = os.path.join(wd.path, name)
        with open(files[name], "w") as f:
            f.write(c[name] + "\n")
        os.chmod(files[name], 0o600)
    ttl = 10
    sim = h.Sim(ctx.sim_bin, wd.path, args=[
        "--client-secret", c["client_secret"],
        "--access-key-secret", c["access_key_secret"],
        "--basic-encoding", "form", "--token-ttl", str(ttl)])
    try:
        # "post" reaches the API as localhost: the token endpoint gets a
        # connection of its own, idle between renewals (as with CXone,
        # whose token and API hosts differ).
        tenants = {"basic": "", "post": '    ClientAuth "post"\n'
                   '    APIEndpoint "%s"\n' % sim.url.replace("127.0.0.1", "localhost")}
        block = "".join(h.tenant_block(sim, name=n, extra=x).replace(
            'ClientSecret "%s"' % h.SIM_CREDENTIALS["client_secret"],
            'ClientSecretFile "%s"' % files["client_secret"]).replace(
            'AccessKeySecret "%s"' % h.SIM_CREDENTIALS["access_key_secret"],
            'AccessKeySecretFile "%s"' % files["access_key_secret"])
            for n, x in tenants.items())
        t0 = time.time()
        cd = h.Collectd(wd.path, ctx.plugin_dir, block).start()
        targets = {name: core_scan.secret_forms(c[name]) for name in CORE_SECRETS}
        problems = []

        def tokens_issued():
            return sim.get("/sim/stats")["tokens_issued"]

        def wait_tokens(n, timeout):
            deadline = time.time() + timeout
            while tokens_issued() < n and time.time() < deadline:
                time.sleep(0.05)
            expect(tokens_issued() >= n, "only %d tokens issued, expected %d"
                   % (tokens_issued(), n))

        def dump(moment):
            expect(cd.proc.alive(), "collectd exited:\n" + cd.output()[-3000:])
            prefix = os.path.join(wd.path, "core-" + moment.split()[0])
            maps = core_scan.read_maps(cd.proc.pid)
            t = time.time()
            r = subprocess.run(["gcore", "-o", prefix, str(cd.proc.pid)],
                               capture_output=True, text=True, timeout=120)
            expect(r.returncode == 0, "gcore failed: " + r.stderr[-500:])
            path = "%s.%d" % (prefix, cd.proc.pid)
            expect(os.path.getsize(path) > 1 << 20,
                   "the core dump is too small to be real")
            tokens = sim.get("/sim/tokens")["tokens"]
            now = time.time()
            live = [k for k, tok in enumerate(tokens)
                    if not tok["revoked"] and tok["expires"] > t]
            live = live[-len(tenants):]  # the newest, one per tenant
            tt = dict(targets)
            for k, tok in enumerate(tokens):
                for kind in ("access_token", "refresh_token", "id_token"):
                    tt["%s #%d" % (kind, k + 1)] = {
                        "JWT signature": tok[kind].rsplit(".", 1)[1]}
            found = core_scan.scan(path, maps, tt)
            size = os.path.getsize(path) >> 20
            if not VERBOSE_CORES:
                os.unlink(path)
            print("    %s (%.1f s after start, %d MiB, %d tokens issued):" % (
                moment, t - t0, size, len(tokens)))
            secrets = [f for f in found if f.label in CORE_SECRETS]
            for f in secrets:
                problems.append("%s: %s" % (moment, f.describe()))
                print("      SECRET " + f.describe())
            for k, tok in enumerate(tokens):
                state = ("current" if k in live else
                         "expired" if tok["expires"] <= now else "replaced")
                for kind in ("access_token", "refresh_token", "id_token"):
                    label = "%s #%d" % (kind, k + 1)
                    where = ["%s (%d bytes)" % (f.region, f.length)
                             for f in found if f.label == label]
                    if VERBOSE_CORES:
                        for f in found:
                            if f.label == label:
                                print("        " + f.describe())
                    if where or kind == "access_token":
                        print("      %s %s (%s): %s" % (
                            kind.replace("_", " "), k + 1, state,
                            "; ".join(where) if where else "not found"))
            if not secrets:
                print("      neither secret, in no encoding")

        try:
            wait_tokens(len(tenants), 15)
            # While a token request is being sent its secrets are in
            # libcurl's and OpenSSL's buffers; let it end (the answer is
            # parsed within milliseconds of being issued).
            time.sleep(0.1)
            dump("right after the first token requests")
            time.sleep(max(0, t0 + 5 - time.time()))
            dump("mid-run")
            wait_tokens(2 * len(tenants), 3 * ttl)
            time.sleep(1.0)
            dump("after the tokens were renewed")
            time.sleep(1.0)
            expect(cd.proc.alive(), "collectd exited early:\n" + cd.output()[-3000:])
        finally:
            rc = cd.stop()
        log = cd.output()
        expect(rc == 0, "collectd exit status %s:\n%s" % (rc, log[-3000:]))
        expect("retrying with the client credentials form-encoded" in log,
               "the basic tenant never sent form-encoded credentials")
        expect("libcurl was initialised before" not in log,
               "libcurl's copies were not wiped:\n" + log[-3000:])
        for name in tenants:
            up = h.read_csv(cd.csv_dir, host=name).get(("api", "gauge", "up"), [])
            expect(up and up[-1][1] == 1.0, "tenant %s was not polling" % name)
        expect(not problems, "secrets in the core dumps:\n  " +
               "\n  ".join(problems))
    finally:
        sim.stop()


def test_asan_ubsan(ctx, wd):
    expect(ctx.asan_build, "no --asan-build given")
    libasan = subprocess.run(["gcc", "-print-file-name=libasan.so"],
                             capture_output=True, text=True).stdout.strip()
    libubsan = subprocess.run(["gcc", "-print-file-name=libubsan.so"],
                              capture_output=True, text=True).stdout.strip()
    env = dict(os.environ)
    env["LD_PRELOAD"] = libasan + " " + libubsan
    env["ASAN_OPTIONS"] = "detect_leaks=1:abort_on_error=0:exitcode=23"
    env["UBSAN_OPTIONS"] = "print_stacktrace=1:halt_on_error=0"
    env["LSAN_OPTIONS"] = "suppressions=" + os.path.join(h.HERE, "lsan.supp")
    sim, cd, log, series = run_scenario(
        ctx, wd, env=env, plugin_dir=os.path.join(ctx.asan_build, ".libs"),
        sim_args=["--token-ttl", "8"],
        midrun=lambda s: (s.fault("malformed", count=1), s.get("/sim/revoke-tokens")))
    try:
        expect("AddressSanitizer" not in log and "LeakSanitizer" not in log,
               "sanitizer report:\n" + log[-4000:])
        expect("runtime error" not in log, "UBSan report:\n" + log[-4000:])
        check_against_truth(sim, series, log)
    finally:
        sim.stop()


def test_tsan_tenants(ctx, wd):
    """tenants_in_parallel with the plugin built with ThreadSanitizer
    (scripts/build --tsan) and libtsan preloaded into the stock collectd:
    the plugin's memory accesses are instrumented; collectd, libcurl and
    OpenSSL are not, but their pthread calls go through libtsan, so the
    order the read threads' mutexes impose is known.  No report, and the
    values are still exact."""
    if not ctx.tsan_build:
        raise h.Skip("no --tsan-build (scripts/test runs it as a stage)")
    libtsan = subprocess.run(["gcc", "-print-file-name=libtsan.so"],
                             capture_output=True, text=True).stdout.strip()
    expect(os.path.exists(libtsan), "no libtsan.so (libtsan2, gcc)")
    plugin_dir = os.path.join(ctx.tsan_build, ".libs")
    env = dict(os.environ)
    env["LD_PRELOAD"] = libtsan
    env["TSAN_OPTIONS"] = ":".join([
        "halt_on_error=0", "exitcode=23", "second_deadlock_stack=1",
        "suppressions=" + os.path.join(h.HERE, "tsan.supp")])

    def instrumented(cd):
        # The daemon must run with libtsan and the instrumented plugin.
        maps = ""
        for _ in range(100):
            with open("/proc/%d/maps" % cd.proc.pid) as f:
                maps = f.read()
            if plugin_dir + "/cxone.so" in maps:
                break
            time.sleep(0.05)
        expect(os.path.realpath(libtsan) in maps or libtsan in maps,
               "libtsan is not loaded in collectd")
        expect(plugin_dir + "/cxone.so" in maps,
               "collectd did not load the ThreadSanitizer build of the plugin")
    log = parallel_tenants(ctx, wd, plugin_dir=plugin_dir, env=env,
                           on_running=instrumented)
    reports = log.count("WARNING: ThreadSanitizer:")
    print("    %d ThreadSanitizer report(s)" % reports)
    expect(reports == 0 and "ThreadSanitizer" not in log,
           "ThreadSanitizer report:\n" + log[max(0, log.find("ThreadSanitizer") - 200):][:6000])


def test_valgrind(ctx, wd):
    wrapper = ["valgrind", "--quiet", "--leak-check=full",
               "--errors-for-leak-kinds=definite", "--error-exitcode=9",
               "--suppressions=" + os.path.join(h.HERE, "valgrind.supp"),
               "--child-silent-after-fork=yes"]
    sim, cd, log, series = run_scenario(
        ctx, wd, wrapper=wrapper, run_seconds=30, interval=2,
        sim_args=["--token-ttl", "8"],
        midrun=lambda s: s.fault("truncated", count=1))
    try:
        expect("definitely lost" not in log and "Invalid read" not in log
               and "Invalid write" not in log and "uninitialised" not in log,
               "valgrind report:\n" + log[-4000:])
        check_against_truth(sim, series, log, min_instants=3)
    finally:
        sim.stop()


def test_sim_selfcheck(ctx, wd):
    """sim/selfcheck.py against two simulators: the default tenant, and
    one with hires and leavers since three (scaled) days before start-up
    (so some agents have left, some were hired, and more are to come)."""
    selfcheck = os.path.join(h.ROOT, "sim", "selfcheck.py")
    day = 86.4  # seconds, at time scale 0.001
    variants = [
        ("default", 0.01, ["--open-state", "partial"], []),
        ("churn", 0.001, ["--open-state", "partial", "--hires-per-day", "2",
                          "--leavers-per-day", "2", "--churn-days", "8",
                          "--churn-start", "%.3f" % (time.time() - 3 * day)],
         ["--window", "60"]),
    ]
    for name, scale, sim_args, check_args in variants:
        sub = os.path.join(wd.path, name)
        os.makedirs(sub)
        sim = h.Sim(ctx.sim_bin, sub, args=sim_args, time_scale=scale)
        try:
            r = subprocess.run([sys.executable, selfcheck, "--port", str(sim.port),
                                "--ca", sim.ca] + check_args,
                               capture_output=True, text=True, timeout=300)
        finally:
            sim.stop()
        lines = r.stdout.strip().splitlines()
        print("    %s: %s" % (name, lines[-1] if lines else "no output"))
        expect(r.returncode == 0, "selfcheck of the %s tenant failed:\n%s%s" % (
            name, r.stdout[-3000:], r.stderr[-2000:]))


BAD_CONFIGS = [
    # One case per class of error, through the real daemon: every key's
    # accepted and refused forms are tests/unit/t_settings.c's.
    # (name, tenant body or full block, expected message regex)
    ("missing issuer", 'ClientId "a"\nClientSecret "b"\nAccessKeyId "c"\nAccessKeySecret "d"',
     r'<Tenant "t">: Issuer: missing'),
    ("window too small", 'Issuer "https://x"\nClientId "a"\nClientSecret "b"\nAccessKeyId "c"\nAccessKeySecret "d"\nWindow 10',
     r'<Tenant "t">: Window: expected a number of seconds from 60'),
    ("unknown key", 'Issuer "https://x"\nClientId "a"\nClientSecret "b"\nAccessKeyId "c"\nAccessKeySecret "d"\nColour "blue"',
     r'<Tenant "t">: unknown option "Colour"'),
    ("bad agent label", 'Issuer "https://x"\nClientId "a"\nClientSecret "b"\nAccessKeyId "c"\nAccessKeySecret "d"\nAgentLabel "nick"',
     r'<Tenant "t">: AgentLabel: expected one of "id" \| "name" \| "username"'),
    ("missing secret file", 'Issuer "https://x"\nClientId "a"\nClientSecretFile "/nonexistent/secret"\nAccessKeyId "c"\nAccessKeySecret "d"',
     r'<Tenant "t">: ClientSecretFile: cannot read "/nonexistent/secret"'),
    ("unnamed tenant", None, r'<Plugin cxone> has no <Tenant "name"> block'),
    ("unknown block", "OTHER", r'unknown option "Node" in <Plugin cxone>'),
]


def test_bad_configuration(ctx, wd):
    """Each bad block stops start-up with a message naming block and key."""
    problems = []
    for i, (name, body, pattern) in enumerate(BAD_CONFIGS):
        if body is None:
            block = "  <Tenant>\n  </Tenant>\n"
        elif body == "OTHER":
            block = '  <Node "x">\n  </Node>\n'
        else:
            block = '  <Tenant "t">\n%s\n  </Tenant>\n' % "\n".join(
                "    " + line for line in body.splitlines())
        sub = os.path.join(wd.path, "bad%d" % i)
        os.makedirs(sub)
        cd = h.Collectd(sub, ctx.plugin_dir, block)
        rc, out = cd.test_once()
        if rc == 0:
            problems.append("%s: collectd started (rc 0)" % name)
        elif not re.search(pattern, out):
            problems.append("%s: no message matching /%s/ in:\n%s" % (name, pattern, out[-1500:]))
    # A secret file readable by others: a warning, and start-up goes on.
    secret = os.path.join(wd.path, "secret")
    with open(secret, "w") as f:
        f.write("s3cret\n")
    os.chmod(secret, 0o644)
    sub = os.path.join(wd.path, "mode")
    os.makedirs(sub)
    block = ('  <Tenant "t">\n    Issuer "https://127.0.0.1:9"\n    ClientId "a"\n'
             '    ClientSecretFile "%s"\n    AccessKeyId "c"\n    AccessKeySecret "d"\n'
             '    Timeout 2\n  </Tenant>\n' % secret)
    rc, out = h.Collectd(sub, ctx.plugin_dir, block).test_once()
    if "is accessible to group or others (mode 644)" not in out:
        problems.append("no warning for a world-readable secret file:\n" + out[-1500:])
    if rc != 0:
        problems.append("transient trouble (nothing listening) failed the read: rc %d" % rc)
    if "s3cret" in out:
        problems.append("the secret from the file was logged")
    expect(not problems, "\n".join(problems))
    print("    %d bad configurations rejected with their messages" % len(BAD_CONFIGS))


def write_tzif(path, offsets, transitions):
    """A TZif version 2 file (RFC 8536): types of the given UTC offsets
    (seconds; the second and later flagged DST), transitions [(UTC second,
    type)], and an empty footer (the last type holds after them)."""
    import struct
    chars = b"".join(b"T%d\0" % i for i in range(len(offsets)))
    types = b"".join(struct.pack(">lBB", off, 1 if i else 0, 2 * i)
                     for i, off in enumerate(offsets))

    def block(size):
        fmt = ">l" if size == 4 else ">q"
        return (b"".join(struct.pack(fmt, t) for t, _ in transitions) +
                bytes(k for _, k in transitions) + types + chars)

    def header():
        return (b"TZif2" + bytes(15) + struct.pack(
            ">6l", 0, 0, 0, len(transitions), len(offsets), len(chars)))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(header() + block(4) + header() + block(8) + b"\n\n")


def test_today_midnight_dst(ctx, wd):
    """Today in a zone (a TZif file of the test's own, through TZDIR) whose
    midnight comes 35 s after start-up and whose clocks then go forward an
    hour 20 s later: every today-* value equals the truth since the local
    midnight that Python's zoneinfo reads from the same file, the day's
    figures start again from 0 at midnight, and the DST change leaves the
    day's start where it was."""
    import zoneinfo
    start = int(time.time())
    midnight, dst = start + 35, start + 55
    offset = -(midnight % 86400)
    if offset < -43200:
        offset += 86400
    path = os.path.join(wd.path, "zoneinfo", "Test", "Soon")
    write_tzif(path, [offset, offset + 3600], [(dst, 1)])
    with open(path, "rb") as f:
        zone = zoneinfo.ZoneInfo.from_file(f, key="Test/Soon")
    expect(h.day_start(midnight + 1, zone) == midnight and
           h.day_start(dst + 1, zone) == midnight and
           h.day_start(midnight - 1, zone) == midnight - 86400,
           "the test's zone does not put midnight where it should")
    env = dict(os.environ, TZDIR=os.path.join(wd.path, "zoneinfo"))
    sim, cd, log, series = run_scenario(
        ctx, wd, extra='    Today true\n    TimeZone "Test/Soon"\n',
        run_seconds=dst + 15 - time.time(), env=env, time_scale=0.05)
    try:
        cmp = check_against_truth(sim, series, log, zone=zone)
        logged_in = [(t, v) for t, v in series.get(("all", "duration",
                                                    "today-LoggedIn"), [])]
        day = {}
        for (pinst, typ, ti), points in series.items():
            if pinst == "all" and typ == "duration" and ti.startswith("today-") \
                    and "Unavailable-" not in ti:
                for t, v in points:
                    day[t] = day.get(t, 0.0) + v
        before = [v for t, v in day.items() if t < midnight]
        after = [(t, v) for t, v in day.items() if midnight <= t]
        expect(before and after and [t for t, _ in after if t >= dst],
               "the run did not span midnight and the DST change: %d / %d "
               "instants" % (len(before), len(after)))
        agents = len(sim.truth(time.time(), WINDOW)["agents"])
        # The day's seconds, summed over the states, just before midnight
        # cover nearly a whole day per agent; after it, only since midnight.
        expect(min(before) > 3600 * agents,
               "before midnight the day held only %.0f s" % min(before))
        for t, v in after:
            expect(v <= (t - midnight + 1.5) * agents,
                   "%.0f s of the day %.1f s after midnight" % (v, t - midnight))
        print("    %d instants before midnight, %d after (%d after the DST "
              "change); %s" % (len(before), len(after),
                               len([t for t, _ in after if t >= dst]),
                               "all/today-LoggedIn %d values" % len(logged_in)))
        expect(cmp.checked > 0, "nothing compared")
    finally:
        sim.stop()


TESTS = h.tests(
    test_core_token_expiry,
    test_variant_exclude_open_seconds_teamno,
    test_variant_partial_empty200_paging,
    test_variant_per_agent_post_204,
    test_history_lag,
    test_history_lag_exclude,
    test_scope_options,
    test_colliding_names,
    test_threshold_alerts,
    test_transient_faults_keep_data,
    test_slow_answers_deadline,
    test_tenants_in_parallel,
    test_no_secret_in_logs,
    test_no_secret_in_core_dump,
    test_bad_configuration,
    test_sim_selfcheck,
    test_asan_ubsan,
    test_tsan_tenants,
    test_valgrind,
    test_today_midnight_dst,
    test_threshold_longest_wait,
    test_threshold_service_level,
    test_threshold_occupancy,
)
