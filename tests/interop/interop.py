"""Shared plumbing for covenant's interop tests (tests/interop/*.py).

The tests compare covenant's CLI against implementations nobody on the project
wrote. This module runs the three parties (covenant, the polkadot-js oracle,
the bittensor-wallet oracle) and collects mismatches, so that one test run
reports every disagreement rather than stopping at the first.
"""

import json
import os
import random
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SKIP = 77  # ctest SKIP_RETURN_CODE for these tests

DEV_PHRASE = "bottom drive obey lake curtain smoke basket hold race lonely fit walk"


def skip(why):
    print(f"SKIP: {why}")
    sys.exit(SKIP)


def log(msg):
    print(msg, flush=True)


def norm_hex(s):
    """Lower-case hex with a 0x prefix, so "0xAB" and "ab" compare equal."""
    if not isinstance(s, str):
        return s
    s = s.lower()
    return s if s.startswith("0x") else "0x" + s


def make_rng():
    # Choices of SURI shape and message are reproducible from the printed
    # seed; the mnemonics themselves come from polkadot-js and are printed
    # with any failure.
    seed = int(os.environ.get("COVENANT_INTEROP_SEED", "0")) or random.SystemRandom().randrange(1, 2**31)
    log(f"random seed: {seed} (set COVENANT_INTEROP_SEED={seed} to repeat)")
    return random.Random(seed)


class Results:
    """Counts checks; records every failure with enough context to reproduce it."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failures = []

    def ok(self, cond, what, **context):
        if cond:
            self.passed += 1
        else:
            self.failures.append((what, context))
            log(f"FAIL {what}: " + json.dumps(context, ensure_ascii=False))
        return cond

    def eq(self, got, want, what, **context):
        return self.ok(got == want, what, got=got, want=want, **context)

    def finish(self):
        log(f"{self.name}: {self.passed} passed, {len(self.failures)} failed")
        sys.exit(1 if self.failures else 0)


class Covenant:
    """Runs the covenant CLI; every call adds --json and parses one JSON object."""

    def __init__(self, path):
        self.path = path
        self.calls = 0

    def run(self, *args, env=None, timeout=120):
        argv = [self.path, *args, "--json"]
        self.calls += 1
        full_env = dict(os.environ)
        if env:
            full_env.update(env)
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                               env=full_env, stdin=subprocess.DEVNULL)
        except subprocess.TimeoutExpired:
            return CovResult(argv, -1, None, "", f"timed out after {timeout}s")
        try:
            obj = json.loads(p.stdout) if p.stdout.strip() else None
        except json.JSONDecodeError:
            obj = None
        return CovResult(argv, p.returncode, obj, p.stdout, p.stderr)


class CovResult:
    def __init__(self, argv, rc, obj, stdout, stderr):
        self.argv, self.rc, self.obj, self.stdout, self.stderr = argv, rc, obj, stdout, stderr

    @property
    def ok(self):
        return self.rc == 0 and isinstance(self.obj, dict) and "error" not in self.obj

    @property
    def is_error(self):
        """The contract's failure shape: non-zero exit and {"error":{code,message}}."""
        err = self.obj.get("error") if isinstance(self.obj, dict) else None
        return self.rc != 0 and isinstance(err, dict) and "code" in err and "message" in err

    def get(self, *keys):
        cur = self.obj
        for k in keys:
            if not isinstance(cur, dict):
                return None
            cur = cur.get(k)
        return cur

    def describe(self):
        return {"argv": self.argv, "rc": self.rc, "stdout": self.stdout[-2000:],
                "stderr": self.stderr[-2000:]}


class PolkadotOracle:
    """One long-lived node process answering JSON-line requests (node starts once)."""

    def __init__(self):
        script = os.path.join(HERE, "polkadot_oracle.mjs")
        t = time.monotonic()
        self.proc = subprocess.Popen(["node", script], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, encoding="utf-8",
                                     cwd=HERE)
        self.request({"op": "selftest"})
        log(f"polkadot-js oracle ready in {time.monotonic() - t:.2f}s (self-test passed)")

    def request(self, req):
        self.proc.stdin.write(json.dumps(req) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"polkadot oracle exited (rc={self.proc.poll()})")
        resp = json.loads(line)
        if not resp.get("ok"):
            # An oracle that fails or contradicts itself cannot judge covenant.
            raise RuntimeError(f"polkadot oracle failed on {req.get('op')}: {resp.get('error')}")
        return resp

    def close(self):
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def btwallet(*args, stdin=None, timeout=300):
    """Runs btwallet_oracle.py in this (the venv's) interpreter; returns (rc, obj)."""
    p = subprocess.run([sys.executable, os.path.join(HERE, "btwallet_oracle.py"), *args],
                       input=json.dumps(stdin) if stdin is not None else None,
                       capture_output=True, text=True, timeout=timeout)
    try:
        obj = json.loads(p.stdout)
    except json.JSONDecodeError:
        obj = {"error": f"no JSON from btwallet oracle: {p.stdout[-500:]} {p.stderr[-1000:]}"}
    return p.returncode, obj


def covenant_from_argv():
    path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("COVENANT", "")
    if not path or not os.access(path, os.X_OK):
        skip(f"covenant binary not found or not executable: {path!r}")
    return Covenant(path)


class JsonLinesTool:
    """A tests/tools/* program as a coprocess: one JSON request per line in,
    one JSON answer per line out."""

    def __init__(self, path):
        self.path = path
        self.p = subprocess.Popen([path], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  text=True, bufsize=1)

    def ask(self, req):
        self.p.stdin.write(json.dumps(req) + "\n")
        self.p.stdin.flush()
        line = self.p.stdout.readline()
        if not line:
            raise RuntimeError(f"{os.path.basename(self.path)} closed its output")
        return json.loads(line)
