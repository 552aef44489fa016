"""Debian programs the suite uses as outside tools (a browser, a signature verifier that is not ours)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def ensure_debian(program: str, package: str) -> str:
    """The path of ``program``, installing Debian's ``package`` when it is missing (as root, with
    apt-get; never a download from elsewhere); the test is skipped where neither is possible."""
    found = shutil.which(program) or (program if Path(program).exists() else None)
    if found is None and os.geteuid() == 0 and shutil.which("apt-get"):
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "-q", package]
        if subprocess.run(install, capture_output=True, env=env, check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env, check=False)
            subprocess.run(install, capture_output=True, env=env, check=False)
        found = shutil.which(program) or (program if Path(program).exists() else None)
    if found is None:
        pytest.skip(f"Debian's {package} is not installed and cannot be installed here")
    return found
