"""Fixtures for the desk tests."""

from tests.desk.loopback import receiver, smtp  # noqa: F401 - loopback HTTP and SMTP receivers
