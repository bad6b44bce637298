"""agents: masked RL agents for any Gymnasium env with a discrete action space and action_masks()."""
