import pytest

from tests.sources import queued

empty_broker = pytest.fixture(queued.empty_broker)
