"""The end-of-run summary's chemical-accuracy verdict follows the trainer's count, not the best circuit."""

from __future__ import annotations

from crlqas.cli import _print_summary

NOISY_JUDGE = "curriculum success with noiseless re-evaluation"


def _summary(**changes):
    summary = {
        "run_dir": "runs/x", "episodes": 10, "seconds": 5.0, "seconds_per_episode": 0.5, "stop_reason": "budget",
        "noise": "mumbai-median", "shots": None, "chemical_accuracy": 1.6e-3,
        "chemical_accuracy_judged_on": NOISY_JUDGE, "episodes_at_chemical_accuracy": 0,
        "first_chemical_accuracy": None,
        "best": {"episode": 4, "step": 3, "energy": -1.10, "error": 0.03, "expected_energy": -1.10,
                 "expected_error": 0.03, "noiseless_energy": -1.137, "noiseless_error": 2e-4, "gates": 5,
                 "cnots": 1, "rotations": 3, "depth": 4},
    }
    summary.update(changes)
    return summary


def _verdict_lines(capsys) -> list[str]:
    return [line for line in capsys.readouterr().out.splitlines() if "chemical accuracy" in line]


def test_noisy_run_without_counted_episodes_is_not_reached(capsys):
    # the best circuit re-evaluates within chemical accuracy without noise, but no episode was counted
    _print_summary(_summary())
    lines = _verdict_lines(capsys)
    assert len(lines) == 1
    assert "NOT reached" in lines[0] and "best noisy error" in lines[0] and "0.0016 Ha" in lines[0]


def test_counted_episodes_give_reached_with_the_first_episode(capsys):
    _print_summary(_summary(episodes_at_chemical_accuracy=3,
                            first_chemical_accuracy={"episode": 7, "seconds": 2.5, "error": 1e-4}))
    lines = _verdict_lines(capsys)
    assert len(lines) == 1
    assert "reached in 3 episodes, first in episode 7 after 2.5 s" in lines[0] and "NOT" not in lines[0]


def test_noiseless_run_not_reached_gives_the_best_error(capsys):
    best = dict(_summary()["best"], error=0.02, noiseless_error=None)
    _print_summary(_summary(noise=None, chemical_accuracy_judged_on="energy", best=best))
    lines = _verdict_lines(capsys)
    assert len(lines) == 1 and "NOT reached: best error 2.000e-02 Ha" in lines[0]
