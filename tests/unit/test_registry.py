"""The optimizer registry: complete, consistent, and the one door to every optimizer."""

import re
from pathlib import Path

import pytest

import optimlite as ol
from optimlite import registry
from optimlite.base import Optimizer

HERE = Path(__file__).parent


def _exported_optimizer_classes():
    objs = (getattr(ol, name) for name in ol.__all__ if name not in ol._LAZY_MODULES)
    return {o for o in objs if isinstance(o, type) and issubclass(o, Optimizer)} - {Optimizer}


def test_every_exported_optimizer_is_registered_once():
    classes = [spec.cls for spec in registry.REGISTRY.values()]
    assert len(classes) == len(set(classes))
    assert set(classes) == _exported_optimizer_classes()


def test_entries_are_consistent():
    colors = [spec.color for spec in registry.REGISTRY.values()]
    assert len(colors) == len(set(colors)), "two optimizers share a colour"
    for spec in registry.REGISTRY.values():
        assert re.fullmatch(r"#[0-9A-Fa-f]{6}", spec.color), spec.name
        assert spec.family in registry.FAMILIES, spec.name
        assert 1 <= spec.chapter <= 15 and spec.chapter != 14, spec.name
        assert spec.variants, spec.name
        assert spec.rule.strip() and spec.use_when.strip(), f"{spec.name}: rule and use_when"
        for variant in spec.variants:
            assert isinstance(spec.make(**variant), spec.cls)


@pytest.mark.parametrize("spec", registry.REGISTRY.values(), ids=lambda s: s.name)
def test_each_entry_is_checked_against_its_reference(spec):
    """A torch counterpart exists in torch.optim and a parity test runs the class; the others
    are run by the reference tests (timm's and the papers' rules, the schedulefree package's in
    test_parity_beyond.py)."""
    cls_name = spec.cls.__name__
    if spec.matches_torch:
        torch = pytest.importorskip("torch")
        torch_name = spec.reference.removeprefix("torch.optim.").split("(")[0]
        assert hasattr(torch.optim, torch_name), spec.reference
        files = ("test_parity_torch.py", "test_parity_beyond.py")
    else:
        files = ("test_reference_optimizers.py", "test_parity_beyond.py")
    text = "".join((HERE / f).read_text() for f in files)
    names = {cls_name, spec.name, *spec.aliases}
    assert any(re.search(rf"\bol\.{re.escape(n)}\b", text) for n in names), spec.name


def test_lookup_by_alias_and_unknown_names():
    assert registry.get("Adagrad") is registry.get("AdaGrad")
    assert registry.get("GD").cls is ol.SGD
    with pytest.raises(ValueError, match="unknown optimizer 'Adamm'.*Adam"):
        registry.make("Adamm")
    with pytest.raises(ValueError, match="family"):
        registry.names("exotic")
    assert registry.names("large batch") == ("LARS", "LAMB")
    assert registry.color("Adam") == registry.REGISTRY["Adam"].color
    assert registry.color("not an optimizer", "#123456") == "#123456"


def test_make_applies_explorer_defaults_and_overrides():
    opt = registry.make("Momentum", lr=0.1)
    assert type(opt) is ol.MomentumSGD and opt.lr == 0.1 and opt.momentum == 0.9
    assert registry.make("Momentum", lr=0.1, momentum=0.5).momentum == 0.5


def test_make_builds_a_wrapper_around_a_named_or_given_inner_optimizer():
    la = registry.make("Lookahead", lr=0.05, k=3)
    assert type(la.optimizer) is ol.Adam and la.optimizer.lr == 0.05 and la.k == 3
    inner = ol.SGD(lr=0.2)
    assert registry.make("Lookahead", optimizer=inner).optimizer is inner
    with pytest.raises(ValueError, match="instance"):
        registry.make("Lookahead", optimizer=inner, lr=0.1)


def test_hyperparameters_are_the_constructor_signature():
    assert ol.Adam.hyperparameters == (
        "lr", "betas", "eps", "weight_decay", "amsgrad", "decoupled_weight_decay",
    )  # fmt: skip
    assert ol.AdamW.hyperparameters == ("lr", "betas", "eps", "weight_decay", "amsgrad")
    assert ol.Lookahead.hyperparameters == ("k", "alpha")


def test_a_hyperparameter_without_a_check_is_refused_at_class_creation():
    with pytest.raises(TypeError, match="no rule for.*'beta'"):

        class Unchecked(Optimizer):  # noqa: F841
            checks = {"lr": lambda name, v: v}

            def __init__(self, lr=0.1, beta=0.5):
                self._store(locals())
