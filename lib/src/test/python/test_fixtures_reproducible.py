"""The committed DSP fixtures are what make_dsp_fixtures.py computes with the project's pinned numpy/scipy.

If someone edits a fixture by hand (or the script drifts from the committed files), the Java tests would be
comparing against numbers nobody can reproduce; this catches that.
"""
import json
import math
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
COMMITTED = os.path.join(HERE, "..", "resources", "fixtures")


def _close(a, b, path):
    if isinstance(a, dict):
        assert a.keys() == b.keys(), path
        for k in a:
            if k in ("numpy", "scipy"):
                continue
            _close(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _close(x, y, f"{path}[{i}]")
    elif isinstance(a, float) or isinstance(b, float):
        assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12), f"{path}: {a} != {b}"
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


def test_fixtures_regenerate_identically(tmp_path):
    env = dict(os.environ, FOSM_FIXTURES_OUT=str(tmp_path))
    subprocess.run([sys.executable, os.path.join(HERE, "make_dsp_fixtures.py")], check=True, env=env)
    for name in ("dsp_features.json", "butterworth.json", "savgol.json", "motion.json"):
        with open(os.path.join(COMMITTED, name)) as fh:
            committed = json.load(fh)
        with open(tmp_path / name) as fh:
            regenerated = json.load(fh)
        _close(regenerated, committed, name)
