"""crlqas: curriculum reinforcement learning for quantum architecture search under noise."""
