"""The benchmarks still run against the code they measure (no timing is asserted here:
speed is measured by `make bench`, never in tests)."""

import os
import signal
import subprocess
import sys

import numpy as np
import pytest

from bench import engine, fast, nn_mlp, persist


@pytest.mark.parametrize("batch_size", [10, 100])
def test_every_fast_path_trainer_ends_with_the_same_weights(batch_size):
    X, labels, _, _ = fast.digits_split()
    X, Y = X[:300], fast.one_hot(labels[:300])
    setting = dict(fast.DIGITS, epochs=3, batch_size=batch_size)
    trained = {name: train(setting, X, Y)[2] for name, train in fast.TRAINERS.items()}
    trained["scalar"] = fast.train_nn(dict(setting, epochs=1), X[:60], Y[:60], compiled=False)[2]
    one_epoch = fast.train_nn(dict(setting, epochs=1), X[:60], Y[:60], compiled=True)[2]
    lean = trained.pop("lean numpy (BP1-BP4, in place)")
    for name, weights in trained.items():
        reference = one_epoch if name == "scalar" else lean
        for (W, b), (W_ref, b_ref) in zip(weights, reference):
            assert np.abs(W - W_ref).max() <= 1e-12 and np.abs(b - b_ref).max() <= 1e-12, name


def test_the_fast_path_bench_trains_and_compiles_on_a_small_slice():
    X, labels, X_test, labels_test = fast.digits_split()
    X, Y = X[:40], fast.one_hot(labels[:40])
    setting = dict(fast.DIGITS, epochs=1)
    assert fast.compile_seconds(setting, X, Y) > 0
    _, _, numpy_weights = fast.train_numpy(setting, X, Y)
    _, _, compiled_weights = fast.train_nn(setting, X, Y, compiled=True)
    for (W1, b1), (W2, b2) in zip(numpy_weights, compiled_weights):  # the same training, step for step
        assert np.allclose(W1, W2, atol=1e-9) and np.allclose(b1, b2, atol=1e-9)
    assert 0 <= fast.accuracy_of(compiled_weights, X_test, labels_test) <= 100


def test_the_engine_and_nn_bench_workers_run():
    assert engine.worker("bytes", "tracegrad")["bytes"] > 0
    build, backward = engine.chain_seconds(engine.value_class("tracegrad"), 1000)
    assert build > 0 and backward > 0
    step = nn_mlp.tracegrad_step()
    assert step() == step()  # the same loss each time: zero_grad, forward, backward


def test_the_chain_figure_is_the_median_of_runs_in_fresh_processes(monkeypatch):
    monkeypatch.setattr(engine, "CHAIN_LENGTH", 1000)
    monkeypatch.setattr(engine, "CHAIN_RUNS", 3)
    ours, peer = engine._chain_median("tracegrad"), engine._chain_median("micrograd")
    assert ours["fastest"] <= ours["build"] + ours["backward"] <= ours["slowest"]
    assert "median of 3 runs" in engine._show_chain(ours) and "backward" in engine._show_chain(ours)
    assert peer["backward"] is None  # micrograd's recursive backward fails past about 990 nodes
    assert "RecursionError past 12 nodes" in engine._show_chain(peer, {"deepest": 12})
    assert engine._chain_ratio(ours, peer).startswith("build ")


def test_the_persist_bench_measures_a_round_trip_and_a_refusal(tmp_path, monkeypatch):
    monkeypatch.setattr(persist, "REPEATS", 1)
    result = persist.measure(5, tmp_path)
    assert result["parameters"] == 785 * 5 + 6 * 10 and result["load"] > 0
    assert persist.refusal_seconds(tmp_path) > 0
    assert "of linear" in persist.rows([result])[0][-1]


def test_every_trainer_timed_per_epoch_gives_one_time_per_epoch():
    X, labels, _, _ = fast.digits_split()
    Y = fast.one_hot(labels)[:40]
    setting = dict(fast.DIGITS, epochs=3)
    lean, compiled = [], []
    fast.train_lean(setting, X[:40], Y, epoch_seconds=lean)
    fast.train_nn(setting, X[:40], Y, True, epoch_seconds=compiled)
    assert len(lean) == len(compiled) == 3 and min(lean + compiled) > 0


def test_the_engine_bench_prints_the_table_against_the_old_engine_alone_as_often_as_asked(monkeypatch, capsys):
    calls = []
    monkeypatch.setattr(engine, "run_against_base", lambda: calls.append(1) or [["g: backward", "1 ms", "1 ms", "1.000x"]])
    monkeypatch.setattr(engine, "run", lambda: pytest.fail("the micrograd table is not wanted"))
    monkeypatch.setattr("sys.argv", ["bench.engine", "--against-base", "3"])
    engine.main()
    assert len(calls) == 3 and capsys.readouterr().out.count("g: backward") == 3


BENCH_MODULES = ["bench", "bench.engine", "bench.nn_mlp", "bench.fast", "bench.persist", "bench.training_page",
                 "bench.breakdown"]


def _command_line(module, *args, seconds=10):
    """(exit code, stdout, stderr) of `python -m module args`. A benchmark takes minutes: one
    still running after `seconds` is stopped, its worker processes with it, and the test fails."""
    process = subprocess.Popen([sys.executable, "-m", module, *args], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        out, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"python -m {module} {' '.join(args)} started the benchmark instead of answering")
    return process.returncode, out, err


@pytest.mark.parametrize("module", BENCH_MODULES)
def test_every_bench_prints_its_usage_for_help_and_refuses_an_unknown_option(module):
    code, out, _ = _command_line(module, "--help")
    assert code == 0 and out.startswith(f"usage: python -m {module} ")
    code, _, err = _command_line(module, "--bogus")
    assert code == 2 and "unrecognized arguments: --bogus" in err


def test_the_engine_bench_refuses_a_count_that_is_not_a_number():
    code, _, err = _command_line("bench.engine", "--against-base", "x")
    assert code == 2 and "--against-base: invalid int value: 'x'" in err


@pytest.mark.parametrize("bench", [engine, nn_mlp], ids=["engine", "nn_mlp"])
def test_a_worker_command_line_goes_to_the_worker_not_to_the_option_parser(bench):
    with pytest.raises(ValueError, match="unknown task 'nope'"):  # argparse would exit 2
        bench.main(["--worker", "nope", "tracegrad"])
