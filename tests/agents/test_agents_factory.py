"""make_agent / profiles: paper settings, overrides, and clear errors."""

import gymnasium as gym
import numpy as np
import pytest
from torch import nn

from agents import AGENTS, PROFILES, make_agent, paper_gamma, resolve_profile
from agents.dqn import MaskedDoubleDQN
from agents.toy_envs import MaskedCorridor


class SizedCorridor(MaskedCorridor):
    """A corridor that advertises the sizes a QAS env would."""

    def __init__(self, max_layers=40, n_qubits=4, noisy=False):
        super().__init__()
        self.max_layers, self.n_qubits, self.noisy = max_layers, n_qubits, noisy


class Unmasked(gym.Env):
    observation_space = gym.spaces.Box(0, 1, (2,), np.float32)
    action_space = gym.spaces.Discrete(2)


def test_registry():
    assert set(AGENTS) == {"dqn", "ppo"}
    assert set(PROFILES["dqn"]) == {"paper", "fast"} and set(PROFILES["ppo"]) == {"paper", "fast"}


def test_paper_gamma():
    assert paper_gamma(40) == 0.88
    assert paper_gamma(20) == round(0.005 ** (1 / 20), 2) == 0.77
    with pytest.raises(ValueError, match="max_layers"):
        paper_gamma(0)


@pytest.mark.parametrize(
    "n_qubits, width, n", [(2, 1000, 5), (4, 1000, 5), (6, 2000, 6), (8, 5000, 6)]
)
def test_paper_profile_from_env(n_qubits, width, n):
    kw = resolve_profile("dqn", SizedCorridor(n_qubits=n_qubits), "paper")
    assert kw["gamma"] == 0.88 and kw["n_steps"] == n
    assert kw["policy_kwargs"] == {"net_arch": [width] * 5, "activation_fn": nn.LeakyReLU}
    assert (kw["batch_size"], kw["buffer_size"], kw["target_update_interval"]) == (1000, 20_000, 500)
    assert (kw["epsilon_schedule"], kw["epsilon_decay"], kw["exploration_final_eps"]) == ("multiplicative", 0.99995, 0.05)
    assert kw["learning_rate"] == 1e-4
    assert resolve_profile("dqn", SizedCorridor(noisy=True), "paper")["learning_rate"] == 3e-4


def test_paper_profile_builds_agent():
    model = make_agent("dqn", SizedCorridor(), profile="paper", seed=0)
    assert isinstance(model, MaskedDoubleDQN) and model.gamma == 0.88 and model.batch_size == 1000
    linears = [m for m in model.q_net.q_net if isinstance(m, nn.Linear)]
    assert [m.out_features for m in linears] == [1000] * 5 + [4]
    assert sum(isinstance(m, nn.LeakyReLU) for m in model.q_net.q_net) == 5
    assert str(model.device) == "cpu"


def test_overrides_and_context_keys():
    kw = resolve_profile("dqn", MaskedCorridor(), "paper", max_layers=20, n_qubits=6, net_arch=[7, 7],
                         activation_fn="tanh", batch_size=32)
    assert kw["gamma"] == 0.77 and kw["n_steps"] == 6 and kw["batch_size"] == 32
    assert kw["policy_kwargs"] == {"net_arch": [7, 7], "activation_fn": nn.Tanh}
    assert resolve_profile("dqn", MaskedCorridor(), "fast")["gamma"] == 0.99  # no layer budget known
    assert resolve_profile("dqn", MaskedCorridor(), "fast", gamma=0.5)["gamma"] == 0.5


def test_errors_list_accepted_values():
    with pytest.raises(ValueError, match=r"unknown agent 'sac'.*\['dqn', 'ppo'\]"):
        make_agent("sac", MaskedCorridor())
    with pytest.raises(ValueError, match=r"unknown profile 'huge'.*\['fast', 'paper'\]"):
        make_agent("dqn", MaskedCorridor(), profile="huge")
    with pytest.raises(ValueError, match=r"unknown override\(s\) \['batchsize'\].*batch_size"):
        make_agent("dqn", MaskedCorridor(), batchsize=3)
    with pytest.raises(ValueError, match="epsilon_decay"):
        make_agent("ppo", MaskedCorridor(), epsilon_decay=0.9)
    with pytest.raises(ValueError, match="pass max_layers"):
        make_agent("dqn", MaskedCorridor(), profile="paper")
    with pytest.raises(ValueError, match="unknown activation_fn"):
        make_agent("dqn", MaskedCorridor(), activation_fn="swish")
    with pytest.raises(ValueError, match="action_masks"):
        make_agent("dqn", Unmasked())
    with pytest.raises(ValueError, match="action_masks"):
        make_agent("ppo", Unmasked())
