"""agents: masked RL agents for any Gymnasium env with a discrete action space and action_masks().

``make_agent("dqn" | "ppo", env, profile="fast" | "paper", **overrides)`` builds
a masked double DQN with n-step returns (``MaskedDoubleDQN``, on
stable-baselines3) or sb3-contrib's ``MaskablePPO``; ``load_agent`` restores one.
"""

from agents.dqn import MaskedDoubleDQN
from agents.factory import AGENTS, accepted_overrides, load_agent, make_agent, resolve_profile
from agents.masks import TERMINAL_MASK_KEY, TerminalMaskInfo
from agents.nstep_buffer import MaskedNStepReplayBuffer
from agents.profiles import PROFILES, ProfileContext, paper_gamma

__all__ = [
    "AGENTS",
    "PROFILES",
    "TERMINAL_MASK_KEY",
    "MaskedDoubleDQN",
    "MaskedNStepReplayBuffer",
    "ProfileContext",
    "TerminalMaskInfo",
    "accepted_overrides",
    "load_agent",
    "make_agent",
    "paper_gamma",
    "resolve_profile",
]
