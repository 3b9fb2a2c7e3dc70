"""The build on Dask: a scheduler and two workers on loopback, started as an analyst would
(``dask scheduler``, ``dask worker``), and a LocalCluster, write the same bytes as the local
build; without Dask, --dask says how to install it."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from dangjian.build import build
from dangjian.corpus import CatalogWarning

from conftest import SEED_FILES, SEEDS

if os.environ.get("CI"):
    import distributed  # noqa: F401  (make setup installs the dask extra: CI must not skip)
else:
    pytest.importorskip("distributed", reason="the dask extra is not installed (pip install -e '.[dask]')")

DASK = Path(sys.executable).parent / "dask"


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """48 reports: enough for several pass-1 tasks and tokenisation batches."""
    folder = tmp_path_factory.mktemp("batch")
    for i in range(48):
        seed = SEED_FILES[i % len(SEED_FILES)]
        shutil.copy(seed, folder / f"{i:03d}_{seed.name}")
    return folder


def _build(folder: Path, out: Path, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CatalogWarning)
        return build(folder, out, **kwargs)


def _same_bytes(a: Path, b: Path) -> None:
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler():
    """`dask scheduler` and `dask worker --nworkers 2` on loopback, as separate processes."""
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    processes = [subprocess.Popen([str(DASK), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                   "--no-dashboard", "--dashboard-address", "127.0.0.1:0"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL, env=env)]
    processes.append(subprocess.Popen([str(DASK), "worker", address, "--nworkers", "2", "--nthreads", "1",
                                       "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                      env=env))
    from distributed import Client

    try:
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def test_dask_scheduler_with_two_workers_writes_the_local_bytes(batch, scheduler, tmp_path):
    local = _build(batch, tmp_path / "local", workers=2)
    remote = _build(batch, tmp_path / "dask", dask=scheduler)
    assert remote.settings["executor"].startswith(f"Dask at {scheduler}") and remote.settings["workers"] == 2
    assert remote.rows == local.rows and remote.rows["documents"] == 48
    _same_bytes(tmp_path / "local", tmp_path / "dask")


def test_a_local_dask_cluster_writes_the_local_bytes(tmp_path):
    _build(SEEDS, tmp_path / "local")
    result = _build(SEEDS, tmp_path / "dask", dask=True, workers=1)
    assert result.settings["executor"].startswith("Dask at tcp://127.0.0.1")
    _same_bytes(tmp_path / "local", tmp_path / "dask")


def test_without_dask_the_flag_says_how_to_install(tmp_path):
    code = ("import sys; sys.modules['distributed'] = None; from dangjian.cli import main; "
            f"sys.exit(main(['build', {str(SEEDS)!r}, '--out', {str(tmp_path)!r}, '--dask']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert "pip install -e '.[dask]'" in done.stderr and "Traceback" not in done.stderr
