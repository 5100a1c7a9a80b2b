"""Fixtures for the desk tests."""

from tests.desk.digest_data import servers  # noqa: F401 - server desks that send the morning report
from tests.desk.loopback import receiver, smtp  # noqa: F401 - loopback HTTP and SMTP receivers
