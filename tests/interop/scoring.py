#!/usr/bin/env python3
"""Interop: covenant's OpenSkill Plackett-Luce updates against `openskill`.

covenant's side is tests/tools/scoring_tool (incentive/scoring_openskill.c);
the other is the `openskill` package at the version Templar's uv.lock pins
(tests/interop/requirements.txt), called the way Templar's validator calls
it: PlackettLuce(beta, tau).rate([[r] for each uid], scores=[...]).

  - a few thousand random free-for-all matches (2 to 64 players) under
    Templar's parameters, the package defaults and random ones (beta, tau,
    kappa, limit_sigma, new-player mu/sigma), with float32-rounded gradient
    scores, Templar's -99 penalty, exact ties, zeros (openskill turns a zero
    score into its index) and all-equal scores; also matches given as ranks
    with ties;
  - Templar-like runs: 64 uids rated window after window for hundreds of
    windows, each side carrying its own ratings forward, so errors that
    accumulate would show;
  - what openskill refuses (one player, ratings so far apart that exp
    overflows) covenant refuses too.

Every mu and sigma must agree within 1e-9 (relative to max(1, |value|));
the run also reports how many came out bit-identical.

usage: scoring.py SCORING_TOOL
"""

import json
import math
import struct
import subprocess
import sys

import interop
from interop import log

from openskill.models import PlackettLuce

TOL = 1e-9


def f32(x):
    """x rounded to float32, as Templar's gradient_scores tensor holds it."""
    return struct.unpack("f", struct.pack("f", x))[0]


class Tool:
    """scoring_tool as a JSON-lines coprocess."""

    def __init__(self, path):
        self.p = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, bufsize=1)

    def ask(self, req):
        self.p.stdin.write(json.dumps(req) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError("scoring_tool closed its output")
        return json.loads(line)

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


def config_of(params):
    return {"scoring": {"openskill": params}}


def oracle(params, ratings, scores=None, ranks=None):
    """openskill's new [(mu, sigma)], or the name of the exception it raised."""
    model = PlackettLuce(mu=params["mu"], sigma=params["sigma"], beta=params["beta"],
                         tau=params["tau"], kappa=params["kappa"],
                         limit_sigma=params["limit_sigma"])
    teams = [[model.rating(mu=m, sigma=s)] for m, s in ratings]
    try:
        if scores is not None:
            out = model.rate(teams, scores=list(scores))
        else:
            out = model.rate(teams, ranks=list(ranks))
    except (ValueError, OverflowError, ZeroDivisionError) as e:
        return type(e).__name__
    return [(t[0].mu, t[0].sigma) for t in out]


TEMPLAR = {"mu": 25.0, "sigma": 25.0 / 3.0, "beta": 7.0, "tau": 0.1, "kappa": 0.0001,
           "limit_sigma": False}
DEFAULTS = {"mu": 25.0, "sigma": 25.0 / 3.0, "beta": 25.0 / 6.0, "tau": 25.0 / 300.0,
            "kappa": 0.0001, "limit_sigma": False}


def random_params(rng):
    pick = rng.random()
    if pick < 0.5:
        return dict(TEMPLAR)
    if pick < 0.65:
        return dict(DEFAULTS)
    return {"mu": rng.uniform(0, 50), "sigma": rng.uniform(0.5, 15),
            "beta": rng.uniform(0.3, 20), "tau": rng.choice([0.0, rng.uniform(0, 2)]),
            "kappa": rng.choice([0.0001, 10 ** rng.uniform(-8, -0.5)]),
            "limit_sigma": rng.random() < 0.3}


def random_scores(rng, n):
    kind = rng.random()
    if kind < 0.05:
        return [rng.choice([0.0, 0.25, -1.0])] * n  # all equal (zeros: by index)
    pool = []
    scores = []
    for _ in range(n):
        u = rng.random()
        if u < 0.1:
            s = -99.0  # Templar's missing-gradient score
        elif u < 0.15:
            s = 0.0
        elif u < 0.3 and pool:
            s = rng.choice(pool)  # an exact tie
        else:
            s = f32(rng.gauss(0.002, 0.01))
        pool.append(s)
        scores.append(s)
    return scores


def random_ratings(rng, n, params):
    out = []
    for _ in range(n):
        if rng.random() < 0.3:
            out.append((params["mu"], params["sigma"]))  # a new player
        else:
            out.append((rng.uniform(-10, 60), rng.uniform(0.3, 12)))
    return out


def close(got, want):
    return abs(got - want) <= TOL * max(1.0, abs(want))


class Compare:
    def __init__(self, results):
        self.r = results
        self.values = 0
        self.identical = 0

    def match(self, got, want, what, **ctx):
        """got: the tool's answer for one match; want: the oracle's."""
        if isinstance(want, str):
            return self.r.ok(isinstance(got, dict) and "error" in got,
                             f"{what}: openskill raised {want}, covenant must refuse",
                             got=got, **ctx)
        if not self.r.ok(isinstance(got, list) and len(got) == len(want),
                         f"{what}: shape", got=got, want=want, **ctx):
            return False
        ok = True
        for i, ((gm, gs), (wm, ws)) in enumerate(zip(got, want)):
            self.values += 2
            self.identical += (gm == wm) + (gs == ws)
            if not (close(gm, wm) and close(gs, ws)):
                ok = False
                self.r.ok(False, f"{what}: player {i}", got=[gm, gs], want=[wm, ws], **ctx)
                break
        if ok:
            self.r.passed += 1
        return ok


def random_matches(tool, rng, cmp, count):
    batch = []
    for k in range(count):
        params = random_params(rng)
        n = rng.choice([2, 2, 3, 5, 8, 13, 20, 20, 20, 25, 40, 64, rng.randint(2, 64)])
        ratings = random_ratings(rng, n, params)
        if rng.random() < 0.8:
            m = {"ratings": ratings, "scores": random_scores(rng, n)}
        else:
            m = {"ratings": ratings, "ranks": [rng.randint(1, max(1, n // 2)) for _ in range(n)]}
        batch.append((params, m))
    # One request per parameter set is simplest: the tool reads params from config.
    for i, (params, m) in enumerate(batch):
        got = tool.ask({"op": "rate", "config": config_of(params), "matches": [m]})
        want = oracle(params, m["ratings"], m.get("scores"), m.get("ranks"))
        cmp.match(got["results"][0], want, f"random match {i}", params=params, match=m)


def templar_runs(tool, rng, cmp, runs, windows, n_uids=64):
    params = dict(TEMPLAR)
    for run in range(runs):
        ours = {}
        theirs = {}
        skill = [rng.gauss(0.002, 0.003) for _ in range(n_uids)]
        for w in range(windows):
            uids = rng.sample(range(n_uids), rng.randint(2, 25))
            scores = []
            for u in uids:
                if rng.random() < 0.08:
                    scores.append(-99.0)
                else:
                    scores.append(f32(skill[u] + rng.gauss(0, 0.004)))
            new = (params["mu"], params["sigma"])
            got = tool.ask({"op": "rate", "config": config_of(params), "matches": [
                {"ratings": [ours.get(u, new) for u in uids], "scores": scores}]})["results"][0]
            want = oracle(params, [theirs.get(u, new) for u in uids], scores=scores)
            if not cmp.match(got, want, f"run {run} window {w}", uids=uids, scores=scores):
                break
            for u, g, t in zip(uids, got, want):
                ours[u] = tuple(g)
                theirs[u] = t


def refusals(tool, cmp):
    """Matches openskill raises on; covenant must answer with an error."""
    p = dict(TEMPLAR)
    cases = [
        ("one player", {"ratings": [[25.0, 8.0]], "scores": [1.0]}),
        ("exp overflow", {"ratings": [[1e6, 0.5], [0.0, 0.5]], "scores": [1.0, 0.0]}),
    ]
    for what, m in cases:
        got = tool.ask({"op": "rate", "config": config_of(p), "matches": [m]})["results"][0]
        want = oracle(p, m["ratings"], scores=m["scores"])
        cmp.r.ok(isinstance(want, str), f"{what}: openskill is expected to raise", want=want)
        cmp.match(got, want, what)


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: scoring.py SCORING_TOOL")
    import openskill
    log(f"openskill {openskill.__version__}")
    rng = interop.make_rng()
    results = interop.Results("interop_scoring")
    cmp = Compare(results)
    tool = Tool(sys.argv[1])
    try:
        random_matches(tool, rng, cmp, 3000)
        templar_runs(tool, rng, cmp, runs=4, windows=250)
        refusals(tool, cmp)
    finally:
        tool.close()
    log(f"{cmp.identical} of {cmp.values} values bit-identical; the rest within {TOL}")
    results.finish()


if __name__ == "__main__":
    main()
