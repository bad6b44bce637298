"""Bad command-line input: one line ``crlqas: error: ...``, exit 2, no run folder left behind."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from crlqas import train as runner
from crlqas.cli import _parser, build_config, main
from crlqas.config import ConfigError, from_dict, load_toml
from tiny_run import write_tiny_config



def _config(tmp_path: Path, extra: str = "", name: str = "tiny.toml") -> Path:
    return write_tiny_config(tmp_path, name, new_angle_std=None, extra=extra)


def _one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert err.startswith("crlqas: error:") and "\n" not in err, err
    return err


# ---------------------------------------------------------------------- B9: run names
@pytest.mark.parametrize("name", ["../escape", "a/b", "a\\b", ".hidden", "x..y"])
def test_run_name_with_path_parts_is_refused(name, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    out = tmp_path / "runs"
    assert main(["train", "--name", name, "--output", str(out), "--no-progress"]) == 2
    assert "run name" in _one_line_error(capsys)
    assert list(tmp_path.iterdir()) == []  # nothing created, not even the output folder


def test_plain_run_name_is_accepted(tmp_path):
    args = _parser().parse_args(["train", "--name", "my-run_1.v2", "--output", str(tmp_path)])
    assert build_config(args).run_name() == "my-run_1.v2"


# ---------------------------------------------------------------------- C10: agent overrides
@pytest.mark.parametrize("override, needle", [
    ("bogus_key = 1", "unknown override(s) ['bogus_key']"),
    ('activation_fn = "nope"', "unknown activation_fn 'nope'"),
    ('learning_rate = "fast"', "learning rate"),
])
def test_bad_agent_override_is_a_usage_error_without_run_folder(override, needle, tmp_path, capsys):
    config = _config(tmp_path, override)
    out = tmp_path / "runs"
    assert main(["train", "--config", str(config), "--output", str(out), "--no-progress"]) == 2
    err = _one_line_error(capsys)
    assert needle in err and "agent" in err
    assert not out.exists()


def test_train_removes_the_run_folder_when_setup_fails(tmp_path):
    data = load_toml(_config(tmp_path, 'activation_fn = "nope"'))
    data["output_dir"] = str(tmp_path / "runs")
    config = from_dict(data)
    with pytest.raises(runner.SetupError, match="activation_fn"):
        runner.train(config, progress=False)
    assert list((tmp_path / "runs").iterdir()) == []


# ---------------------------------------------------------------------- C11: optional extras
def test_fake_backend_without_ibm_extra_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "qiskit_ibm_runtime", None)  # import fails as if not installed
    out = tmp_path / "runs"
    assert main(["train", "--noise", "fake-backend:FakeMumbaiV2", "--output", str(out), "--no-progress"]) == 2
    err = _one_line_error(capsys)
    assert "qiskit-ibm-runtime" in err and "'ibm' extra" in err
    assert not out.exists()


# ---------------------------------------------------------------------- C14: quotes in messages
@pytest.mark.parametrize("exc, expected", [
    (KeyError("no preset called 'x'"), "crlqas: error: no preset called 'x'"),
    (ValueError("bad option 'y'"), "crlqas: error: bad option 'y'"),
    (ValueError('"quoted" at both ends "z"'), 'crlqas: error: "quoted" at both ends "z"'),
])
def test_env_error_messages_keep_their_quotes(exc, expected, tmp_path, capsys, monkeypatch):
    def broken(*args, **kwargs):
        raise exc

    monkeypatch.setattr(runner, "make_env", broken)
    assert main(["train", "--output", str(tmp_path / "runs"), "--no-progress"]) == 2
    assert _one_line_error(capsys) == expected


# ---------------------------------------------------------------------- C18: --config paths
def test_config_pointing_at_a_directory(tmp_path, capsys):
    assert main(["train", "--config", str(tmp_path), "--output", str(tmp_path / "runs")]) == 2
    err = _one_line_error(capsys)
    assert str(tmp_path) in err and "is a directory" in err


def test_config_file_missing(tmp_path, capsys):
    missing = tmp_path / "nope.toml"
    assert main(["train", "--config", str(missing), "--output", str(tmp_path / "runs")]) == 2
    err = _one_line_error(capsys)
    assert str(missing) in err and "does not exist" in err


# ---------------------------------------------------------------------- C19: --version
def test_version_flag(capsys):
    from importlib.metadata import version

    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"crlqas {version('crlqas')}"


# ---------------------------------------------------------------------- C20: nested option tables
def test_unknown_curriculum_option_lists_accepted_keys(tmp_path, capsys):
    config = tmp_path / "c.toml"
    config.write_text("[env]\ncurriculum = 'moving'\n[env.curriculum_options]\nperiode = 10\n")
    assert main(["train", "--config", str(config), "--output", str(tmp_path / "runs")]) == 2
    err = _one_line_error(capsys)
    assert "'periode'" in err and "env.curriculum_options" in err
    for key in ("mu", "period", "successes", "max_shrinks", "warmup"):
        assert key in err
    assert not (tmp_path / "runs").exists()


def test_unknown_optimizer_option_lists_accepted_keys():
    with pytest.raises(ConfigError, match=r"unknown key\(s\) 'iters' in env.optimizer_options .*iterations"):
        from_dict({"env": {"optimizer": "spsa", "optimizer_options": {"iters": 3}}})
    # the three-stage optimizer also takes its base class's options
    config = from_dict({"env": {"optimizer": "adam-spsa-3stage", "optimizer_options": {"stage_iterations": [1, 1, 1],
                                                                                          "a": 0.1}}})
    assert config.env.optimizer_options["a"] == 0.1


def test_curriculum_flag_drops_the_defaults_moving_options():
    # the embedded default tunes the moving curriculum's period; --curriculum none must not inherit it
    config = build_config(_parser().parse_args(["train", "--curriculum", "none"]))
    assert config.env.curriculum == "none" and config.env.curriculum_options == {}


# ---------------------------------------------------------------------- C21: task names
def test_task_names_are_case_insensitive(capsys):
    config = build_config(_parser().parse_args(["train", "--task", "h2-2q", "--noise", "none"]))
    assert config.env.task == "H2-2q" and config.run_name().startswith("H2-2q-")
    assert from_dict({"env": {"task": "lih-4Q"}}).env.task == "LiH-4q"
    assert main(["tasks", "h2-3q"]) == 0
    assert capsys.readouterr().out.startswith("H2-3q")
    with pytest.raises(ConfigError, match="unknown task 'h2-9q'"):
        from_dict({"env": {"task": "h2-9q"}})
