#!/usr/bin/env python3
"""The end-to-end test runner: collectd + the cxone plugin + cxone-sim over
HTTPS, and the real stores.

Runs the tests of core_tests.py, query_tests.py and stores_tests.py (each
module's TESTS, in that order; harness.py holds what they share), each with
a work directory of its own, kept when the test fails.  A test that names a
fixture (harness.Test) gets the one instance of it instead: made by the
first such test, closed after the last one (Fixtures).  Prints "ok", "skip"
or "FAIL" per test and a closing "N passed, N failed" (scripts/test reads
that line); the exit status is 0 when nothing failed.

usage: run.py --build BUILD_DIR [--asan-build DIR] [--tsan-build DIR]
              [--only NAME ...] [--keep]
"""

import argparse
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness as h  # noqa: E402
import core_tests  # noqa: E402
import query_tests  # noqa: E402
import stores_tests  # noqa: E402

TESTS = core_tests.TESTS + query_tests.TESTS + stores_tests.TESTS


class Context:
    """What every test gets first: the build directories and --keep."""

    def __init__(self, args):
        self.build = os.path.abspath(args.build)
        self.plugin_dir = os.path.join(self.build, ".libs")
        self.sim_bin = os.path.join(self.build, "cxone-sim")
        self.asan_build = os.path.abspath(args.asan_build) if args.asan_build else None
        self.tsan_build = os.path.abspath(args.tsan_build) if args.tsan_build else None
        self.keep = args.keep


class Fixtures:
    """The fixtures of the selected tests (harness.Test): each made on first
    use and closed after the last test that names it, or by close_all."""

    def __init__(self, tests):
        self.last_user = {t.fixture: t for t in tests if t.fixture}
        self.made = {}      # fixture class -> its instance
        self.broken = {}    # fixture class -> why making it failed
        self.passed = {}    # fixture class -> no test that used it failed

    def get(self, ctx, fixture):
        if fixture in self.broken:
            raise h.Failure("%s could not be set up: %s" % (
                fixture.__name__, self.broken[fixture]))
        if fixture not in self.made:
            try:
                self.made[fixture] = fixture(ctx)
            except Exception as e:
                self.broken[fixture] = e
                raise
        return self.made[fixture]

    def done(self, test, passed):
        """After each test: closes its fixture if it was the last user."""
        if test.fixture is None:
            return
        self.passed[test.fixture] = self.passed.get(test.fixture, True) and passed
        if self.last_user[test.fixture] is test and test.fixture in self.made:
            self.made.pop(test.fixture).close(self.passed[test.fixture])

    def close_all(self):
        """What done() did not close: the run was interrupted."""
        for fixture in list(self.made):
            self.made.pop(fixture).close(False)


def run(ctx, test, wd, fixtures):
    if test.fixture is None:
        test.fn(ctx, wd)
    else:
        test.fn(ctx, fixtures.get(ctx, test.fixture))


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True)
    ap.add_argument("--asan-build")
    ap.add_argument("--tsan-build", help="scripts/build --tsan's directory, "
                    "for tsan_tenants (skipped without it)")
    ap.add_argument("--only", nargs="*")
    ap.add_argument("--keep", action="store_true",
                    help="keep the work directories of passing tests too")
    args = ap.parse_args()
    ctx = Context(args)
    selected = [t for t in TESTS if not args.only or t.name in args.only]
    fixtures = Fixtures(selected)
    passed = failed = 0
    try:
        for test in selected:
            wd = h.Workdir(test.name, keep=args.keep)
            t0 = time.time()
            ok = False
            try:
                run(ctx, test, wd, fixtures)
                print("ok   %s (%.1f s)" % (test.name, time.time() - t0), flush=True)
                passed += 1
                ok = True
                wd.cleanup(True)
            except h.Skip as e:
                print("skip %s: %s" % (test.name, e), flush=True)
                ok = True
                wd.cleanup(True)
            except Exception as e:  # noqa: BLE001 - report every failure
                failed += 1
                print("FAIL %s (%.1f s): %s\n    work dir kept: %s" % (
                    test.name, time.time() - t0,
                    e if isinstance(e, h.Failure) else traceback.format_exc(),
                    wd.path), flush=True)
            fixtures.done(test, ok)
    finally:
        fixtures.close_all()
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
