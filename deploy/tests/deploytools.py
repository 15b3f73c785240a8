"""Helpers of the deploy checks (make check-deploy): repository paths, tools from .venv or apt, command runner."""
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
VENV_BIN = Path(sys.executable).parent


def tool(name: str) -> str:
    """A tool from the venv (pip) or the system (apt); fails naming the target that installs it."""
    for candidate in (VENV_BIN / name, shutil.which(name)):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    pytest.fail(f"{name} is not installed: run `make check-deploy` (pip requirements.txt into .venv, "
                f"apt package prometheus via `make deps-ops`)")


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    """Runs a command; the test fails with its output when it exits non-zero."""
    p = subprocess.run(list(args), cwd=cwd, capture_output=True, text=True)
    if p.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {p.returncode}:\n{p.stdout}\n{p.stderr}")
    return p
