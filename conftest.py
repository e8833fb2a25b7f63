"""Root pytest configuration: doctests in graph/ get ``nx`` in their namespace, as networkx's do."""

import networkx as nx
import pytest


@pytest.fixture(autouse=True)
def _doctest_namespace(doctest_namespace):
    doctest_namespace["nx"] = nx
