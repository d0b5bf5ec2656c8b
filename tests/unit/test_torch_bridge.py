"""TorchOptimizer: optimlite optimizers on torch tensors give torch.optim's weights."""

import copy

import numpy as np
import pytest
import torch

import optimlite as ol
from optimlite.torch_bridge import TorchOptimizer


def make_model(seed=0):
    torch.manual_seed(seed)
    return torch.nn.Sequential(
        torch.nn.Linear(6, 16), torch.nn.Tanh(), torch.nn.Linear(16, 3)
    ).double()


def data(seed=1):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(40, 6, generator=g, dtype=torch.float64), torch.randint(
        0, 3, (40,), generator=g
    )


def train(model, opt, steps=50, scheduler=None):
    x, y = data()
    loss_fn = torch.nn.CrossEntropyLoss()
    for _ in range(steps):
        opt.zero_grad()
        loss_fn(model(x), y).backward()
        opt.step()
        if scheduler is not None:
            scheduler.step()
    return model


PAIRS = [
    (lambda p: torch.optim.SGD(p, lr=0.1), lambda: ol.SGD(lr=0.1)),
    (
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=1e-3, nesterov=True),
        lambda: ol.SGD(lr=0.05, momentum=0.9, weight_decay=1e-3, nesterov=True),
    ),
    (lambda p: torch.optim.Adam(p, lr=1e-2), lambda: ol.Adam(lr=1e-2)),
    (
        lambda p: torch.optim.AdamW(p, lr=1e-2, weight_decay=0.1),
        lambda: ol.AdamW(lr=1e-2, weight_decay=0.1),
    ),
    (lambda p: torch.optim.RMSprop(p, lr=1e-3), lambda: ol.RMSprop(lr=1e-3)),
]


@pytest.mark.parametrize("torch_opt, ours", PAIRS, ids=["sgd", "nesterov", "adam", "adamw", "rms"])
def test_same_weights_as_torch_optim(torch_opt, ours):
    ref = make_model()
    model = copy.deepcopy(ref)
    train(ref, torch_opt(ref.parameters()))
    train(model, TorchOptimizer(model, ours()))
    for (name, a), b in zip(model.named_parameters(), ref.parameters(), strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10, err_msg=name)
    assert not torch.equal(ref[0].weight, make_model()[0].weight)  # training did move them


def test_optimlite_schedulers_drive_the_bridge_like_torchs():
    ref = make_model()
    model = copy.deepcopy(ref)
    topt = torch.optim.SGD(ref.parameters(), lr=0.1, momentum=0.9)
    tsched = torch.optim.lr_scheduler.OneCycleLR(topt, max_lr=0.2, total_steps=50)
    opt = TorchOptimizer(model, ol.SGD(lr=0.1, momentum=0.9))
    sched = ol.OneCycleLR(opt, max_lr=0.2, total_steps=50)
    train(ref, topt, scheduler=tsched)
    train(model, opt, scheduler=sched)
    assert opt.lr == opt.optimizer.lr == pytest.approx(topt.param_groups[0]["lr"], rel=1e-12)
    assert opt.momentum == pytest.approx(topt.param_groups[0]["momentum"], rel=1e-12)
    for a, b in zip(model.parameters(), ref.parameters(), strict=True):
        np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), rtol=1e-10)


@pytest.mark.parametrize(
    "make", [lambda: ol.LAMB(lr=1e-2), lambda: ol.Lion(lr=1e-3), lambda: ol.LARS(lr=0.1)]
)
def test_other_optimizers_run_through_it(make):
    model = make_model()
    x, y = data()
    loss_fn = torch.nn.CrossEntropyLoss()
    before = loss_fn(model(x), y).item()
    opt = TorchOptimizer(model, make())
    train(model, opt, steps=40)
    assert opt.optimizer.t == 40
    assert loss_fn(model(x), y).item() < before


def test_zero_copy_skip_none_and_zero_grad():
    model = make_model()
    unused = torch.nn.Parameter(torch.ones(3, dtype=torch.float64))
    model.register_parameter("unused", unused)
    ptrs = {n: p.data_ptr() for n, p in model.named_parameters()}
    opt = TorchOptimizer(model, ol.Adam(lr=0.1))
    x, y = data()
    torch.nn.functional.cross_entropy(model(x), y).backward()
    w0 = model[0].weight.detach().clone()
    opt.step()
    assert not torch.equal(model[0].weight, w0)  # updated in place ...
    assert {n: p.data_ptr() for n, p in model.named_parameters()} == ptrs  # ... same memory
    assert torch.equal(unused, torch.ones(3, dtype=torch.float64))  # grad None: skipped
    assert "unused" not in opt.optimizer.state and "0.weight" in opt.optimizer.state
    opt.zero_grad(set_to_none=False)
    assert torch.count_nonzero(model[0].weight.grad) == 0
    opt.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_closure_tensors_and_pairs():
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    target = torch.tensor([1.0, -2.0, 3.0], dtype=torch.float64)

    def closure():
        opt.zero_grad()
        loss = ((w - target) ** 2).sum()
        loss.backward()
        return loss

    opt = TorchOptimizer([w], ol.SGD(lr=0.25))
    loss = opt.step(closure)
    assert loss.item() == pytest.approx(14.0)
    np.testing.assert_allclose(w.detach().numpy(), [0.5, -1.0, 1.5])  # w -= 0.25 * 2 (w - t)
    assert opt.optimizer.steps == {"0": 1}  # tensors are named "0", "1", ...
    named = TorchOptimizer([("w", w)], ol.Adam(lr=0.1))
    named.step(closure)
    assert "w" in named.optimizer.state


def test_hyperparameters_are_forwarded():
    opt = TorchOptimizer(make_model(), ol.Adam(lr=1e-3, betas=(0.9, 0.99)))
    opt.lr = 5e-3
    opt.betas = (0.8, 0.99)
    assert opt.optimizer.lr == 5e-3 and opt.optimizer.betas == (0.8, 0.99)
    assert opt.state_dict()["hyperparameters"]["lr"] == 5e-3
    with pytest.raises(AttributeError):
        opt.no_such_thing  # noqa: B018
    with pytest.raises(AttributeError):
        opt.optimizer = ol.SGD()


def test_clear_errors():
    with pytest.raises(ValueError, match="CPU"):
        TorchOptimizer([torch.empty(3, device="meta")], ol.SGD())
    with pytest.raises(ValueError, match="dtype"):
        TorchOptimizer([torch.zeros(3, dtype=torch.bfloat16)], ol.SGD())
    with pytest.raises(ValueError, match="dtype"):
        TorchOptimizer([torch.zeros(3, dtype=torch.int64)], ol.SGD())
    w = torch.zeros(2)
    with pytest.raises(ValueError, match="same tensor"):
        TorchOptimizer([w, w], ol.SGD())
    with pytest.raises(ValueError, match="empty"):
        TorchOptimizer([], ol.SGD())
    with pytest.raises(ValueError, match="optimlite optimizer"):
        TorchOptimizer([w], torch.optim.SGD([torch.zeros(1, requires_grad=True)]))
    w.grad = torch.tensor([1.0, float("nan")])
    with pytest.raises(ValueError, match="NaN"):  # the optimizer's own check, before any change
        TorchOptimizer([w], ol.SGD(lr=0.1)).step()
    assert torch.equal(w, torch.zeros(2))
