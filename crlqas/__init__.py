"""crlqas: curriculum reinforcement learning for quantum architecture search under noise.

Importing the package registers the Gymnasium ids (``crlqas/H2-2q-v0``,
``crlqas/H2-2q-mumbai-median-v0``, ...); it never imports torch.
"""

from crlqas.registration import register_envs as _register_envs

_register_envs()

__version__ = "0.1.0"
