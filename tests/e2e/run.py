#!/usr/bin/env python3
"""The end-to-end test runner: collectd + the cxone plugin + cxone-sim over
HTTPS, and the real stores.

Runs the tests of core_tests.py, query_tests.py and stores_tests.py (each
module's TESTS, in that order; harness.py holds what they share), each with
a work directory of its own, kept when the test fails.  Prints "ok", "skip"
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
    passed = failed = 0
    for test in TESTS:
        name = test.__name__[len("test_"):]
        if args.only and name not in args.only:
            continue
        wd = h.Workdir(name, keep=args.keep)
        t0 = time.time()
        try:
            test(ctx, wd)
            print("ok   %s (%.1f s)" % (name, time.time() - t0), flush=True)
            passed += 1
            wd.cleanup(True)
        except h.Skip as e:
            print("skip %s: %s" % (name, e), flush=True)
            wd.cleanup(True)
        except Exception as e:  # noqa: BLE001 - report every failure
            failed += 1
            print("FAIL %s (%.1f s): %s\n    work dir kept: %s" % (
                name, time.time() - t0,
                e if isinstance(e, h.Failure) else traceback.format_exc(),
                wd.path), flush=True)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
