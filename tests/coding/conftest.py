"""Fixtures of the coding tests: one engine per test module over the session's store."""

import pytest


@pytest.fixture(scope="module")
def engine(store):
    from cac.coding import Engine

    return Engine(store=store)
