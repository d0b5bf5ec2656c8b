"""``import optimlite`` loads numpy only; the heavy modules load on first touch."""

import importlib.util
import json
import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "ipywidgets", "torch", "sklearn")


def loaded_after(code):
    """Run ``code`` in a fresh interpreter; return which HEAVY packages it left in sys.modules."""
    probe = (
        f"import json, sys\n{code}\nprint(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=300, check=True
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_import_optimlite_loads_numpy_only():
    code = (
        "import optimlite\n"
        "from optimlite import landscapes, problems, run_trajectory, Adam, OneCycleLR\n"
        "assert 'numpy' in sys.modules"
    )
    assert loaded_after(code) == set()


def test_torch_bridge_is_lazy():
    assert loaded_after("import optimlite\noptimlite.torch_bridge.TorchOptimizer") == {"torch"}
    assert loaded_after("from optimlite import torch_bridge") == {"torch"}


def test_digits_loader_imports_sklearn_only_when_called():
    assert "sklearn" in loaded_after("import optimlite\noptimlite.problems.load_digits()")


@pytest.mark.parametrize("name", ["plots", "explorers"])
def test_plotting_modules_load_lazily_without_torch(name):
    if importlib.util.find_spec(f"optimlite.{name}") is None:
        pytest.skip(f"optimlite/{name}.py is not written yet")
    loaded = loaded_after(
        f"import optimlite\nassert optimlite.{name}.__name__ == 'optimlite.{name}'"
    )
    assert "torch" not in loaded and "sklearn" not in loaded


def test_unknown_attribute_is_an_attribute_error():
    import optimlite

    with pytest.raises(AttributeError, match="no_such_module"):
        optimlite.no_such_module  # noqa: B018
