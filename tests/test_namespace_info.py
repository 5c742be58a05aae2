"""``__array_namespace_info__``: answered from the current backend, shaped as the standard says;
and the main namespace has every name of the 2025.12 standard."""

from __future__ import annotations

import array_api_strict as strict
import pytest

import polygrad as pg
import polygrad.numpy as np
from polygrad_backends.numpy_backend import NumpyBackend

pytestmark = pytest.mark.usefixtures("numpy_backend")

# array_api_strict's own helpers, not names of the standard
STRICT_ONLY = {"ArrayAPIStrictFlags", "Device", "get_array_api_strict_flags",
               "set_array_api_strict_flags", "reset_array_api_strict_flags", "__version__"}
KINDS = ["bool", "signed integer", "unsigned integer", "integral", "real floating",
         "complex floating", "numeric"]


class SmallBackend(NumpyBackend):
    """A backend without float64 or complex numbers (as some accelerators are)."""

    name = "small"
    default_float_dtype = np.float32
    supports_float64 = False
    supports_complex = False


def test_the_namespace_has_every_name_of_the_standard():
    missing = [n for n in strict.__all__ if n not in STRICT_ONLY and not hasattr(np, n)]
    assert missing == []
    assert np.__array_api_version__ == "2025.12"


def test_info_is_reached_from_an_array_too():
    info = np.asarray([1.0]).__array_namespace__().__array_namespace_info__()
    assert info.default_device() == "cpu"


def test_capabilities_have_the_standards_keys():
    caps = np.__array_namespace_info__().capabilities()
    assert set(caps) == set(strict.__array_namespace_info__().capabilities())
    assert caps["boolean indexing"] is True and caps["data-dependent shapes"] is True
    assert caps["max dimensions"] is None or caps["max dimensions"] >= 32


def test_devices_come_from_the_backend():
    info = np.__array_namespace_info__()
    devices = info.devices()
    assert type(devices) is tuple and info.default_device() in devices
    assert np.zeros(2).device == info.default_device()


def test_default_dtypes_on_the_numpy_backend():
    with pg.use_backend("numpy"):
        defaults = np.__array_namespace_info__().default_dtypes()
    assert set(defaults) == {"real floating", "complex floating", "integral", "indexing"}
    assert defaults == {"real floating": np.float64, "complex floating": np.complex128,
                        "integral": np.int64, "indexing": np.int64}
    assert all(type(d) is type(np.float64) for d in defaults.values())
    assert np.__array_namespace_info__().default_dtypes(device="cpu") == defaults


def test_default_dtypes_follow_set_default_dtype():
    pg.set_default_dtype("float32")
    try:
        defaults = np.__array_namespace_info__().default_dtypes()
    finally:
        pg.set_default_dtype(None)
    assert defaults["real floating"] == np.float32
    assert defaults["complex floating"] == np.complex64


@pytest.mark.parametrize("kind", [None, *KINDS, ("bool", "complex floating")])
def test_dtypes_by_kind_match_the_reference(kind):
    ours = np.__array_namespace_info__().dtypes(kind=kind)
    theirs = strict.__array_namespace_info__().dtypes(kind=kind)
    assert set(ours) == set(theirs)
    assert all(d == name for name, d in ours.items())
    for d in ours.values():
        assert kind is None or np.isdtype(d, kind)


def test_dtypes_rejects_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        np.__array_namespace_info__().dtypes(kind="floating")


def test_info_answers_for_the_current_backend():
    with pg.use_backend(SmallBackend()):
        info = np.__array_namespace_info__()
        dtypes = info.dtypes()
        defaults = info.default_dtypes()
    assert "float64" not in dtypes and "complex64" not in dtypes and "float32" in dtypes
    assert info.dtypes(kind="complex floating") == {}   # the object keeps its backend
    assert defaults["real floating"] == np.float32 and defaults["complex floating"] is None
    # outside the block the default backend answers again
    assert "float64" in np.__array_namespace_info__().dtypes()


def test_set_default_dtype_refuses_a_non_floating_dtype_and_keeps_the_old_default():
    before = pg.get_default_dtype()
    with pytest.raises(TypeError, match=r"set_default_dtype: expected a real floating dtype"):
        pg.set_default_dtype("int32")
    assert pg.get_default_dtype() == before   # nothing stored by the refused call
