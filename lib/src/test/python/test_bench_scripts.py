"""The bench/ scripts run as `python bench/<script>.py`, which puts bench/ first on sys.path: a script named like a
standard-library module (profile.py, once) then shadows it for every import in every bench script, and pyspark's own
`import cProfile` fails with "module 'profile' has no attribute 'run'"."""
import pathlib
import sys

BENCH = pathlib.Path(__file__).resolve().parents[4] / "bench"


def test_no_bench_script_shadows_a_standard_library_module():
    scripts = sorted(p.stem for p in BENCH.rglob("*.py"))
    assert scripts, f"no scripts found under {BENCH}"
    shadowing = [s for s in scripts if s in sys.stdlib_module_names]
    assert shadowing == [], f"bench scripts named like standard-library modules: {shadowing}; rename them"


def test_a_bench_script_can_import_pyspark_from_its_own_directory(tmp_path):
    # the import chain that broke bench/stream_report.py: pyspark -> pyspark.profiler -> cProfile -> profile
    import subprocess
    probe = BENCH / "stream_report.py"
    code = f"import sys; sys.path.insert(0, {str(probe.parent)!r}); import pyspark; print(pyspark.__version__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
