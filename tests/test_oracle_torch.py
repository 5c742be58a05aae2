"""The same expressions through polygrad (NumPy backend) and through torch.autograd, in float64:
values, gradients and a few Hessians must agree."""

from __future__ import annotations

import numpy
import pytest

import polygrad as pg
import polygrad.numpy as np

torch = pytest.importorskip("torch", reason="torch is not installed: it is this test's oracle")

pytestmark = pytest.mark.usefixtures("numpy_backend")

RNG = numpy.random.default_rng(20240611)
LABELS = numpy.array([2, 0, 3, 3, 1])


def _normal(*shape):
    return RNG.standard_normal(shape)


def _positive(*shape):
    return RNG.uniform(0.5, 2.0, shape)


def _distinct(*shape):
    # a permutation of well-separated values: no ties for max / maximum to split
    values = RNG.permutation(int(numpy.prod(shape))).reshape(shape)
    return values * 0.37 - 1.0


def _softmax_cross_entropy_pg(logits):
    shifted = logits - np.max(logits, axis=1, keepdims=True)
    log_probs = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    return -np.mean(log_probs[np.arange(logits.shape[0]), np.asarray(LABELS)])


def _softmax_cross_entropy_torch(logits):
    return torch.nn.functional.cross_entropy(logits, torch.as_tensor(LABELS))


# (id, polygrad function, torch function, arguments): both return a scalar
CASES = [
    ("elementwise",
     lambda x: np.sum(np.sin(x) * np.exp(-x ** 2) + np.tanh(x) / (1.0 + x ** 2)),
     lambda x: torch.sum(torch.sin(x) * torch.exp(-x ** 2) + torch.tanh(x) / (1.0 + x ** 2)),
     [_normal(7)]),
    ("log_sqrt_pow",
     lambda x: np.sum(np.log(x) * np.sqrt(x) + x ** 2.5 - np.log1p(x) / x),
     lambda x: torch.sum(torch.log(x) * torch.sqrt(x) + x ** 2.5 - torch.log1p(x) / x),
     [_positive(2, 3)]),
    ("broadcasting",
     lambda a, b, c: np.sum(np.sin(a * b + c) ** 2),
     lambda a, b, c: torch.sum(torch.sin(a * b + c) ** 2),
     [_normal(2, 3, 4), _normal(3, 1), _normal(4)]),
    ("reductions_axis_keepdims",
     lambda x: np.sum(np.mean(x ** 2, axis=0) * np.prod(x, axis=1, keepdims=True)
                      / np.sum(np.exp(x), axis=(0, 1))),
     lambda x: torch.sum(torch.mean(x ** 2, dim=0) * torch.prod(x, dim=1, keepdim=True)
                         / torch.sum(torch.exp(x), dim=(0, 1))),
     [_normal(3, 4)]),
    ("var_std",
     lambda x: np.sum(np.std(x, axis=1) ** 3) + np.sum(np.var(x, axis=0, correction=1)),
     lambda x: torch.sum(torch.std(x, dim=1, correction=0) ** 3)
     + torch.sum(torch.var(x, dim=0, correction=1)),
     [_normal(4, 5)]),
    ("matmul",
     lambda a, b, v: np.sum(np.tanh(a @ b) @ v),
     lambda a, b, v: torch.sum(torch.tanh(a @ b) @ v),
     [_normal(3, 4), _normal(4, 2), _normal(2)]),
    ("batched_matmul",
     lambda a, b: np.sum((a @ b) ** 2),
     lambda a, b: torch.sum((a @ b) ** 2),
     [_normal(2, 3, 4), _normal(4, 5)]),
    ("indexing",
     lambda x: np.sum(x[1:, ::2] ** 2) + np.sum(x[np.asarray([0, 2, 2]), 1] * 3.0)
     + np.sum(np.exp(x[x > 0.0])),
     lambda x: torch.sum(x[1:, ::2] ** 2) + torch.sum(x[torch.tensor([0, 2, 2]), 1] * 3.0)
     + torch.sum(torch.exp(x[x > 0.0])),
     [_normal(3, 4)]),
    ("max_without_ties",
     lambda x: np.sum(np.max(x, axis=1) ** 2) + np.max(x) * np.min(x, axis=0)[1],
     lambda x: torch.sum(torch.amax(x, dim=1) ** 2) + torch.amax(x) * torch.amin(x, dim=0)[1],
     [_distinct(4, 3)]),
    ("maximum_clip_abs",
     lambda x, y: np.sum(np.maximum(x, y) * np.clip(x, -0.5, 0.5) + np.abs(y)),
     lambda x, y: torch.sum(torch.maximum(x, y) * torch.clamp(x, -0.5, 0.5) + torch.abs(y)),
     [_distinct(5), _distinct(5) + 0.1]),
    ("where",
     lambda x: np.sum(np.where(x > 0, x ** 2, np.sin(x))),
     lambda x: torch.sum(torch.where(x > 0, x ** 2, torch.sin(x))),
     [_normal(8)]),
    ("logaddexp",
     lambda x, y: np.sum(np.logaddexp(x, y) * x),
     lambda x, y: torch.sum(torch.logaddexp(x, y) * x),
     [_normal(3, 2) * 30.0, _normal(2) * 30.0]),
    ("softmax_cross_entropy",
     _softmax_cross_entropy_pg,
     _softmax_cross_entropy_torch,
     [_normal(5, 4) * 3.0]),
    ("norm_and_reshape",
     lambda x: np.sum(np.linalg.vector_norm(np.reshape(x, (3, 4)), axis=1) * np.arange(3.0))
     + np.sum(np.transpose(x, (2, 0, 1))[0] ** 3),
     lambda x: torch.sum(torch.linalg.vector_norm(torch.reshape(x, (3, 4)), dim=1)
                         * torch.arange(3.0, dtype=torch.float64))
     + torch.sum(torch.permute(x, (2, 0, 1))[0] ** 3),
     [_normal(2, 3, 2)]),
    ("concat_stack",
     lambda a, b: np.sum(np.concat([a, b * 2.0], axis=0) ** 2 * np.stack([a[0], b[1]])[0]),
     lambda a, b: torch.sum(torch.cat([a, b * 2.0], dim=0) ** 2 * torch.stack([a[0], b[1]])[0]),
     [_normal(2, 3), _normal(2, 3)]),
]


def _torch_grads(torch_fn, arrays):
    tensors = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in arrays]
    out = torch_fn(*tensors)
    return out.item(), [g.numpy() for g in torch.autograd.grad(out, tensors)]


@pytest.mark.parametrize("name,pg_fn,torch_fn,arrays", CASES, ids=[c[0] for c in CASES])
def test_value_and_gradient_agree_with_torch_autograd(name, pg_fn, torch_fn, arrays):
    value, grads = pg.value_and_grad(pg_fn, argnum=list(range(len(arrays))))(
        *[np.asarray(a) for a in arrays])
    expected_value, expected_grads = _torch_grads(torch_fn, arrays)
    numpy.testing.assert_allclose(float(value), expected_value, rtol=1e-12, atol=1e-12)
    assert len(grads) == len(expected_grads)
    for g, expected, a in zip(grads, expected_grads, arrays):
        assert g.shape == a.shape and g.dtype == np.float64
        numpy.testing.assert_allclose(g.asnumpy(), expected, rtol=1e-10, atol=1e-12)


SECOND_ORDER = ["elementwise", "log_sqrt_pow", "reductions_axis_keepdims", "softmax_cross_entropy",
                "norm_and_reshape"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_hessian_agrees_with_torch_autograd(name):
    _, pg_fn, torch_fn, arrays = next(c for c in CASES if c[0] == name)
    x = arrays[0]
    ours = pg.hessian(pg_fn)(np.asarray(x)).asnumpy()
    theirs = torch.autograd.functional.hessian(
        torch_fn, torch.tensor(x, dtype=torch.float64)).numpy()
    assert ours.shape == x.shape + x.shape
    numpy.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-11)


@pytest.mark.parametrize("name", ["matmul", "broadcasting", "maximum_clip_abs"])
def test_hvp_agrees_with_torch_autograd(name):
    _, pg_fn, torch_fn, arrays = next(c for c in CASES if c[0] == name)
    x, rest = arrays[0], arrays[1:]
    v = RNG.standard_normal(x.shape)
    ours = pg.hvp(pg_fn)(np.asarray(x), *[np.asarray(r) for r in rest], np.asarray(v))
    fixed = [torch.tensor(r, dtype=torch.float64) for r in rest]
    _, theirs = torch.autograd.functional.hvp(
        lambda t: torch_fn(t, *fixed), torch.tensor(x, dtype=torch.float64),
        torch.tensor(v, dtype=torch.float64))
    numpy.testing.assert_allclose(ours.asnumpy(), theirs.numpy(), rtol=1e-9, atol=1e-11)


def test_jvp_agrees_with_torch_forward_mode():
    x, u = _normal(6), _normal(6)
    _, ours = pg.jvp(lambda x: np.tanh(x) * np.logaddexp(x, 0.5 * x), (np.asarray(x),),
                     (np.asarray(u),))
    _, theirs = torch.func.jvp(lambda t: torch.tanh(t) * torch.logaddexp(t, 0.5 * t),
                               (torch.tensor(x),), (torch.tensor(u),))
    numpy.testing.assert_allclose(ours.asnumpy(), theirs.numpy(), rtol=1e-12)
