"""`make lab` starts JupyterLab for any user, root included (Jupyter refuses root unless told)."""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.request

import pytest

from dangjian.config import PROJECT_ROOT

TOKEN = "dangjian-test-token"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("make") is None or not (PROJECT_ROOT / ".venv" / "bin" / "jupyter").exists(),
                    reason="needs make and the project's .venv with JupyterLab (make setup)")
def test_make_lab_starts_a_server_that_answers(tmp_path):
    port = _free_port()
    flags = (f"--no-browser --port={port} --ip=127.0.0.1 --IdentityProvider.token={TOKEN} "
             f"--ServerApp.port_retries=0")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "config")}
    log = open(tmp_path / "lab.log", "w+")
    server = subprocess.Popen(["make", "--no-print-directory", "lab", f"LAB_FLAGS={flags}"], cwd=PROJECT_ROOT,
                              stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        status = None
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and server.poll() is None:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={TOKEN}", timeout=2) as answer:
                    status = json.load(answer)
                    break
            except OSError:
                time.sleep(0.5)
        log.seek(0)
        assert status is not None, f"make lab did not answer (exit {server.poll()}):\n{log.read()[-2000:]}"
        assert "started" in status
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/lab?token={TOKEN}", timeout=10) as page:
            assert page.status == 200 and b"JupyterLab" in page.read()
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()
        log.close()
