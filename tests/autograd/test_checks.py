"""autograd.checks: the checks of numbers from outside, and the fast path's finite check of a vector."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from autograd import Value
from autograd.checks import all_finite_vector

any_float = st.floats(allow_nan=True, allow_infinity=True, width=64)
huge_or_small = st.sampled_from([0.0, -0.0, 1.0, -3.5, 1e-310, 1e154, -1e155, 1e300, -1.7e308, 1.7e308])


@given(arrays(np.float64, st.integers(1, 300), elements=st.one_of(any_float, huge_or_small)))
def test_all_finite_vector_is_exactly_whether_every_number_is_finite(vector):
    before = vector.copy()
    with np.errstate(all="ignore"):
        assert all_finite_vector(vector) is bool(np.isfinite(vector).all())
    np.testing.assert_array_equal(vector, before)  # it reads, never writes


@pytest.mark.parametrize("length", [1, 1000, 30_000])
def test_finite_numbers_whose_sum_overflows_are_finite(length):
    vector = np.full(length, 1.7e308)
    with np.errstate(all="ignore"):
        assert all_finite_vector(vector) is True
        vector[length // 2] = np.nan
        assert all_finite_vector(vector) is False
        vector[length // 2] = -np.inf
        assert all_finite_vector(vector) is False


@given(arrays(np.float64, st.integers(1, 300), elements=st.sampled_from([1e-170, -1e-300, 1e170, -1e200, 0.5])))
def test_tiny_and_huge_finite_numbers_raise_nothing_even_where_numpy_raises_on_every_flag(vector):
    with np.errstate(all="raise"):  # a sum of these never overflows: no flag, no error
        assert all_finite_vector(vector) is True


def test_a_fraction_beyond_the_float_range_is_a_value_error_that_names_the_argument():
    from fractions import Fraction
    with pytest.raises(ValueError, match="Value: expected a finite number, got Fraction .*too large"):
        Value(Fraction(10**400))
    with pytest.raises(ValueError, match="exponent of \\*\\*"):
        Value(2.0) ** Fraction(10**400, 3)
    assert Value(Fraction(1, 4)).data == 0.25


def test_a_zero_dimensional_array_is_its_number_as_in_numpy():
    x = Value(np.array(3.0))
    assert x.data == 3.0 and type(x.data) is float
    assert (x + np.array(2.0)).data == 5.0 and (x * np.array(2)).data == 6.0
    with pytest.raises(TypeError, match="ndarray"):
        Value(np.array([1.0]))
    with pytest.raises(ValueError, match="finite"):
        Value(np.array(np.nan))
