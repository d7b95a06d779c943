"""genlib.parallel_map: independent jobs side by side, one per core, with the results of a plain loop.

The oracle is the loop itself (``[job() for job in jobs]``) run in this process: the same values,
in the same order, whatever ran where. Where it cannot fork (not Linux, one worker, or
``GENLIB_PROCESSES=1``) the jobs run here, one after another.
"""
from __future__ import annotations

import functools
import os
import sys
import time

import pytest
import torch

import genlib
from genlib.train import Diverged

needs_fork = pytest.mark.skipif(sys.platform != "linux", reason="parallel_map forks only on Linux")


def seeded_training(seed: int, steps: int = 30) -> tuple[int, list[float]]:
    """A tiny seeded regression: its numbers depend on the seed and on nothing else."""
    genlib.seed_everything(seed)
    net = torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    x = torch.randn(64, 3)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.1 * torch.randn(64, 1)
    for _ in range(steps):
        loss = ((net(x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
    return os.getpid(), [p.detach().sum().item() for p in net.parameters()] + [loss.item()]


@needs_fork
def test_forked_jobs_give_the_loops_results_in_order():
    seeds = [3, 0, 7, 1, 5]
    jobs = [functools.partial(seeded_training, s) for s in seeds]
    want = [job() for job in jobs]                       # the oracle: the plain loop, here
    got = genlib.parallel_map(jobs, processes=2)
    assert [v for _, v in got] == [v for _, v in want]   # bit for bit: each job seeds itself
    assert {pid for pid, _ in got}.isdisjoint({os.getpid()})  # and they did run elsewhere
    assert len({pid for pid, _ in got}) == 2


@needs_fork
def test_results_keep_the_jobs_order_when_a_later_job_finishes_first():
    jobs = [lambda: (time.sleep(0.4), "slow")[1], lambda: "fast", lambda: [1, 2]]   # lambdas: nothing is pickled
    assert genlib.parallel_map(jobs, processes=2) == ["slow", "fast", [1, 2]]


@needs_fork
def test_an_exception_in_a_job_is_raised_by_the_caller():
    def diverges():
        raise Diverged("Training diverged: critic loss became nan at step 3")

    with pytest.raises(Diverged, match="critic loss became nan at step 3"):
        genlib.parallel_map([lambda: 1, diverges, lambda: 2], processes=2)


def test_one_worker_runs_the_jobs_here(monkeypatch):
    monkeypatch.setenv("GENLIB_PROCESSES", "1")
    assert genlib.parallel_map([os.getpid, os.getpid]) == [os.getpid()] * 2
    monkeypatch.delenv("GENLIB_PROCESSES")
    assert genlib.parallel_map([os.getpid, os.getpid], processes=1) == [os.getpid()] * 2
    assert genlib.parallel_map([os.getpid]) == [os.getpid()]          # one job: nothing to share out
    assert genlib.parallel_map([]) == []


def test_where_it_cannot_fork_the_jobs_run_here(monkeypatch):
    for platform in ("darwin", "win32"):
        monkeypatch.setattr(sys, "platform", platform)
        assert genlib.parallel_map([os.getpid, os.getpid], processes=2) == [os.getpid()] * 2


def test_once_cuda_is_started_the_jobs_run_here(monkeypatch):
    """A forked child cannot use CUDA: on a GPU the jobs run one after another in this process."""
    monkeypatch.setattr(torch.cuda, "is_initialized", lambda: True)
    assert genlib.parallel_map([os.getpid, os.getpid], processes=2) == [os.getpid()] * 2


@needs_fork
def test_a_job_may_return_a_trained_network():
    """Lecture 05 trains its AAE and plain autoencoder side by side and uses both networks afterwards."""
    def job(seed):
        genlib.seed_everything(seed)
        net = torch.nn.Linear(4, 2)
        with torch.no_grad():
            net.weight.mul_(3)
        return net, net(torch.ones(1, 4)).detach()

    (a, out_a), (b, out_b) = genlib.parallel_map([functools.partial(job, 1), functools.partial(job, 2)], processes=2)
    want_a, want_b = job(1)[0], job(2)[0]
    assert torch.equal(a.weight, want_a.weight) and torch.equal(b.bias, want_b.bias)
    assert torch.allclose(a(torch.ones(1, 4)), out_a)   # it computes, here, what it computed there
    a.weight.grad = None
    a(torch.ones(1, 4)).sum().backward()                 # and trains on: its weights are still parameters
    assert a.weight.grad is not None


CAP_PROBE = """
import json, genlib
genlib.setup("cpu", 0, threads={threads}, quiet=True)
import sklearn.linear_model  # loaded after the cap: its BLAS is numpy's and scipy's, already capped
from threadpoolctl import threadpool_info
print(json.dumps([(i["internal_api"], i["filepath"], i["num_threads"]) for i in threadpool_info()]))
"""


def _pools(threads):
    import json
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", CAP_PROBE.format(threads=threads)], env=env, check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out.splitlines()[-1])


def test_setup_caps_every_blas_and_openmp_pool_numpys_and_scipys_included():
    pools = _pools(1)
    blas = [p for p in pools if p[0] == "blas" or p[0] in ("openblas", "mkl", "blis")]
    assert any("scipy" in path for _, path, _ in blas), f"scipy's own BLAS was not loaded and capped: {pools}"
    assert any("numpy" in path for _, path, _ in blas), pools
    assert all(n == 1 for _, _, n in pools), pools


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one core: every pool has one thread anyway")
def test_setup_with_threads_none_leaves_the_pools_alone():
    assert max(n for api, _, n in _pools(None) if api == "openblas") > 1
