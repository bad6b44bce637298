"""The masked double DQN actually learns the corridor."""

import numpy as np
from sb3_contrib.common.maskable.evaluation import evaluate_policy
from stable_baselines3.common.monitor import Monitor

from agents import make_agent
from agents.toy_envs import ActionRecorder, MaskedCorridor


def greedy_return(model, env):
    obs, _ = env.reset(seed=0)
    total, done = 0.0, False
    while not done:
        action, _ = model.predict(obs, action_masks=env.action_masks())
        obs, reward, terminated, truncated, _ = env.step(action)
        total += reward
        done = terminated or truncated
    return total


def test_dqn_reaches_optimal_return_on_corridor():
    def corridor():
        return MaskedCorridor(length=12, max_steps=30)

    env = ActionRecorder(corridor())
    model = make_agent("dqn", env, profile="fast", seed=0, net_arch=[64, 64], learning_rate=1e-3)
    best = corridor().optimal_return()  # five jumps and one step: 1 - 5 * 0.1
    assert not np.isclose(greedy_return(model, corridor()), best)
    # Seeds 0-3 reach the optimum within 1000 steps; 2000 leaves a margin.
    model.learn(2000)
    assert env.n_illegal() == 0
    # The tempting teleport (always illegal) would give 1.0; walking right
    # only gives 1 - 10 * 0.1 = 0.
    assert np.isclose(greedy_return(model, corridor()), best)
    # sb3-contrib's mask-aware evaluation drives the same predict(action_masks=...).
    mean, _ = evaluate_policy(model, Monitor(ActionRecorder(corridor())), n_eval_episodes=2, use_masking=True)
    assert np.isclose(mean, best)
