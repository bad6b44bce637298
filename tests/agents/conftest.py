"""Shared fixtures for the agent tests."""

import pytest
import torch


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    # The nets here are tiny; on a shared 2-core machine intra-op threading
    # only adds contention (measured ~6x slower per small matmul).
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
