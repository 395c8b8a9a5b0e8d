"""Shared test settings.

No test is timed (speed is measured in bench/ only), so hypothesis runs without a deadline:
a slow moment on a busy machine must not fail a correct test.
"""

from hypothesis import settings

settings.register_profile("tracegrad", deadline=None)
settings.load_profile("tracegrad")
