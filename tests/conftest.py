"""Shared test settings.

No test is timed (speed is measured in bench/ only), so hypothesis runs without a deadline
and without its timing health check: a slow moment on a busy machine must not fail a
correct test.
"""

from hypothesis import HealthCheck, settings

settings.register_profile("tracegrad", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("tracegrad")
