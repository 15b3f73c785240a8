"""The committed drift fixture is what make_drift_fixtures.py computes with the project's pinned numpy/scipy.

DriftStatisticsTest compares the Java statistics with this file; a hand-edited fixture (or a script that drifted from
the committed file) would make that comparison meaningless.
"""
import json
import os
import subprocess
import sys

from test_fixtures_reproducible import COMMITTED, HERE, _close


def test_drift_fixture_regenerates_identically(tmp_path):
    env = dict(os.environ, FOSM_FIXTURES_OUT=str(tmp_path))
    subprocess.run([sys.executable, os.path.join(HERE, "make_drift_fixtures.py")], check=True, env=env)
    with open(os.path.join(COMMITTED, "drift_statistics.json")) as fh:
        committed = json.load(fh)
    with open(tmp_path / "drift_statistics.json") as fh:
        regenerated = json.load(fh)
    _close(regenerated, committed, "drift_statistics.json")
