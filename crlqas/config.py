"""Run configuration: a TOML file and/or command-line flags -> one validated ``RunConfig``.

Every key is checked: an unknown key, a wrong type or an unknown choice is a
``ConfigError`` whose message names the key and what is accepted, so the CLI
can print one clear line and exit with status 2.
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib


class ConfigError(ValueError):
    """A malformed or inconsistent run configuration."""


AGENT_NAMES = ("dqn", "ppo")
#: how a config file says "no noise" (written as NOISELESS)
NOISELESS = "none"
NOISELESS_NAMES = ("none", "noiseless")


@dataclass
class EnvSettings:
    """Keyword arguments for :class:`crlqas.env.QASEnv` (``None`` = the task's default)."""

    task: str = "H2-2q"
    noise: str | None = "mumbai-median"
    shots: int | None = None
    max_layers: int | None = None
    coupling_map: list[list[int]] | None = None
    optimizer: str = "adam-spsa"
    optimizer_options: dict[str, Any] = field(default_factory=dict)
    curriculum: str = "moving"
    curriculum_options: dict[str, Any] = field(default_factory=dict)
    halting: str = "auto"
    halting_terminal: bool = False
    energy_reference: str = "exact"
    initial_state: str = "zeros"
    observation: str = "flat"
    extra_features: bool = False
    readout_mitigation: bool | None = None
    new_angle_std: float | None = None
    shot_noise: str | None = None
    reward_options: dict[str, Any] = field(default_factory=dict)

    def env_kwargs(self) -> dict[str, Any]:
        """Only the settings that differ from "use the env's default" are passed on."""
        kwargs: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None or value == {}:
                continue
            if f.name == "coupling_map":
                value = [tuple(pair) for pair in value]
            kwargs[f.name] = value
        if self.noise is None:
            kwargs["noise"] = None
        return kwargs


@dataclass
class AgentSettings:
    name: str = "dqn"
    profile: str = "fast"
    overrides: dict[str, Any] = field(default_factory=dict)


@dataclass
class RunConfig:
    """Everything a training run needs; written to the run folder as ``config.toml``."""

    name: str = ""
    seed: int = 0
    episodes: int = 400
    #: stop early once this many episodes have reached chemical accuracy (0 = never stop early)
    stop_after_successes: int = 0
    checkpoint_every: int = 50
    output_dir: str = "runs"
    env: EnvSettings = field(default_factory=EnvSettings)
    agent: AgentSettings = field(default_factory=AgentSettings)

    def run_name(self) -> str:
        if self.name:
            return self.name
        noise = self.env.noise or "noiseless"
        return f"{self.env.task}-{noise}-{self.agent.name}-s{self.seed}"

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_toml(self) -> str:
        data = self.to_dict()
        if data["env"]["noise"] is None:
            # TOML has no null, and a dropped key would read back as the default noise preset
            data["env"]["noise"] = NOISELESS
        return dumps_toml(_drop_none(data))


# ---------------------------------------------------------------------- building
_SECTIONS = {"env": EnvSettings, "agent": AgentSettings}


def _check_type(key: str, value: Any, annotation: str) -> Any:
    """Coerce/validate a scalar against the dataclass annotation text."""
    ann = annotation.replace(" ", "")
    optional = "None" in ann
    if value is None:
        if optional:
            return None
        raise ConfigError(f"config key {key!r} may not be empty")
    base = ann.replace("|None", "")
    if base == "bool":
        if not isinstance(value, bool):
            raise ConfigError(f"config key {key!r} must be true or false, got {value!r}")
        return value
    if base == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, str) and value.strip().lstrip("-").isdigit():
                return int(value)
            if isinstance(value, float) and value.is_integer():
                return int(value)
            raise ConfigError(f"config key {key!r} must be an integer, got {value!r}")
        return value
    if base == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"config key {key!r} must be a number, got {value!r}")
        return float(value)
    if base == "str":
        if not isinstance(value, str):
            raise ConfigError(f"config key {key!r} must be a string, got {value!r}")
        return value
    if base.startswith("dict"):
        if not isinstance(value, dict):
            raise ConfigError(f"config key {key!r} must be a table, got {value!r}")
        return dict(value)
    if base.startswith("list"):
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"config key {key!r} must be a list, got {value!r}")
        return [list(v) if isinstance(v, (list, tuple)) else v for v in value]
    return value


def _fill(cls, data: dict[str, Any], prefix: str):
    obj = cls()
    fields = {f.name: f for f in dataclasses.fields(cls)}
    for key, value in data.items():
        full = f"{prefix}{key}"
        if key not in fields:
            raise ConfigError(f"unknown config key {full!r}; accepted: {', '.join(sorted(fields))}")
        f = fields[key]
        if key in _SECTIONS and not prefix:
            if not isinstance(value, dict):
                raise ConfigError(f"config key {full!r} must be a table [{key}]")
            setattr(obj, key, _fill(_SECTIONS[key], value, f"{key}."))
        else:
            setattr(obj, key, _check_type(full, value, str(f.type)))
    return obj


def from_dict(data: dict[str, Any]) -> RunConfig:
    """Build and validate a ``RunConfig`` from nested dicts (TOML layout).

    ``noise = "none"`` (or ``"noiseless"``) means no noise: TOML has no null."""
    config = _fill(RunConfig, data, "")
    if isinstance(config.env.noise, str) and config.env.noise.lower() in NOISELESS_NAMES:
        config.env.noise = None
    config.env.task = canonical_task_name(config.env.task)
    validate(config)
    return config


def canonical_task_name(name: str) -> str:
    """Task names are case-insensitive: ``h2-2q`` -> ``H2-2q`` (unknown names are returned unchanged)."""
    from crlqas import tasks

    known = tasks.names()
    if name in known:
        return name
    matches = [n for n in known if n.lower() == str(name).lower()]
    return matches[0] if len(matches) == 1 else name


def load_toml(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if path.is_dir():
        raise ConfigError(f"config file {str(path)!r} is a directory, not a TOML file")
    if not path.is_file():
        raise ConfigError(f"config file {str(path)!r} does not exist")
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {str(path)!r}: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {str(path)!r} is not valid TOML: {exc}") from None


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """Recursive dict merge; ``override`` wins."""
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def validate(config: RunConfig) -> None:
    """Checks that need no heavy imports (the env validates the rest when it is built)."""
    if config.episodes < 1:
        raise ConfigError(f"episodes must be >= 1, got {config.episodes}")
    if config.checkpoint_every < 1:
        raise ConfigError(f"checkpoint_every must be >= 1, got {config.checkpoint_every}")
    if config.stop_after_successes < 0:
        raise ConfigError(f"stop_after_successes must be >= 0, got {config.stop_after_successes}")
    if config.seed < 0:
        raise ConfigError(f"seed must be >= 0 (Gymnasium and NumPy seeds are non-negative), got {config.seed}")
    if os.path.exists(config.output_dir) and not os.path.isdir(config.output_dir):
        raise ConfigError(f"output_dir {config.output_dir!r} exists and is not a folder")
    if config.agent.name not in AGENT_NAMES:
        raise ConfigError(f"unknown agent {config.agent.name!r}; accepted: {', '.join(AGENT_NAMES)}")
    if config.env.shots is not None and config.env.shots < 1:
        raise ConfigError(f"env.shots must be a positive integer, got {config.env.shots}")
    from crlqas import tasks

    if config.env.task not in tasks.names():
        raise ConfigError(f"unknown task {config.env.task!r}; accepted: {', '.join(tasks.names())}")
    _check_run_name(config.name)
    _check_option_keys("env.curriculum_options", config.env.curriculum_options,
                       _curriculum_option_keys(config.env.curriculum), f"curriculum {config.env.curriculum!r}")
    _check_option_keys("env.optimizer_options", config.env.optimizer_options,
                       _optimizer_option_keys(config.env.optimizer), f"optimizer {config.env.optimizer!r}")


def _check_run_name(name: str) -> None:
    """The run name becomes one folder under ``output_dir``: no path parts, nothing hidden."""
    if not name:
        return
    separators = {"/", "\\", os.sep} | ({os.altsep} if os.altsep else set())
    if any(sep in name for sep in separators) or ".." in name or name.startswith("."):
        raise ConfigError(f"run name {name!r} must be a plain folder name (no '/' or '\\', no '..', "
                          "not starting with '.')")


def _init_keys(cls: type, exclude: tuple[str, ...] = ()) -> set[str]:
    """Keyword names ``cls(...)`` accepts (following ``**options`` up to the base classes)."""
    keys: set[str] = set()
    for klass in cls.__mro__:
        if "__init__" not in vars(klass):
            continue
        params = inspect.signature(vars(klass)["__init__"]).parameters.values()
        keys |= {p.name for p in params if p.name != "self"
                 and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
        if not any(p.kind is p.VAR_KEYWORD for p in params):
            break
    return keys - set(exclude)


def _curriculum_option_keys(kind: str) -> set[str] | None:
    from crlqas.curriculum import ConstantThreshold, FixedSchedule, MovingThreshold

    # min_energy comes from the task; the env passes it itself
    classes = {"moving": (MovingThreshold, ("min_energy",)), "fixed": (FixedSchedule, ()),
               "none": (ConstantThreshold, ())}
    if kind not in classes:
        return None  # an unknown curriculum is reported by the env with the accepted names
    cls, exclude = classes[kind]
    return _init_keys(cls, exclude)


def _optimizer_option_keys(name: str) -> set[str] | None:
    from crlqas.optimizers import OPTIMIZERS

    return _init_keys(OPTIMIZERS[name]) if name in OPTIMIZERS else None


def _check_option_keys(table: str, options: dict[str, Any], accepted: set[str] | None, owner: str) -> None:
    if accepted is None:
        return
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ConfigError(f"unknown key(s) {', '.join(map(repr, unknown))} in {table} for {owner}; "
                          f"accepted: {', '.join(sorted(accepted))}")


# ---------------------------------------------------------------------- TOML writing
def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    return value


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'"{escaped}"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dumps_toml(data: dict[str, Any]) -> str:
    """A small TOML writer for our config layout (scalars, lists, one level of tables)."""
    lines: list[str] = []
    tables: list[tuple[str, dict]] = []
    for key, value in data.items():
        if isinstance(value, dict):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables:
        lines.append("")
        lines.append(f"[{name}]")
        for key, value in table.items():
            lines.append(f"{key} = {_toml_value(value)}")
    return "\n".join(lines) + "\n"
