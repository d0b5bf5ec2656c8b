"""The book states what the committed notebooks state: a changed claim fails.

A claim cell (tag ``nbval-check-output``, ``"keep_output": true``) keeps its output in git. The
strict book build executes every chapter once (``_build/jupyter_execute``); each claim cell of
that run must print exactly the committed output (texts, compared as
``test_notebook_determinism.py`` compares two runs). This is nbval's ``--nbval-lax`` check made on
the build's run instead of a third execution; for one chapter while writing it, nbval is
quicker: ``.venv/bin/pytest --nbval-lax chapters/NN_name.ipynb``.
"""

import json
from pathlib import Path

import nbformat
import pytest
from notebook_claims import CLAIM, claims

CHAPTERS_DIR = Path(__file__).resolve().parent.parent / "chapters"
CHAPTERS = sorted(CHAPTERS_DIR.glob("*.ipynb"))


def changed_claims(committed, executed):
    """Messages for each claim cell of ``committed`` whose output ``executed`` does not repeat."""
    expected = {k: v for k, v in claims(committed).items() if not k.endswith("glue")}
    got = claims(executed)
    problems = []
    for label, texts in expected.items():
        if got.get(label) != texts:
            problems.append(
                f"{label}: the committed claim is\n  {json.dumps(texts, ensure_ascii=False)}\n"
                f"the build printed\n  {json.dumps(got.get(label), ensure_ascii=False)}"
            )
    return problems


def test_a_changed_claim_is_found():
    cell = nbformat.v4.new_code_cell("print(x)", metadata={"tags": [CLAIM], "keep_output": True})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="loss 0.1250\n")]
    committed = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1"), cell])
    executed = nbformat.from_dict(json.loads(json.dumps(committed)))
    assert changed_claims(committed, executed) == []
    executed.cells[1].outputs[0]["text"] = "loss 0.1251\n"
    assert changed_claims(committed, executed)
    executed.cells[1].outputs = []  # a claim cell that printed nothing
    assert changed_claims(committed, executed)


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_the_build_states_the_committed_claims(path, book):
    assert book.returncode == 0, book.log[-3000:]
    built = book.executed / path.relative_to(CHAPTERS_DIR.parent)
    assert built.exists(), f"the book build left no executed copy of {path.name} at {built}"
    problems = changed_claims(nbformat.read(path, as_version=4), nbformat.read(built, as_version=4))
    assert not problems, (
        f"{path.name}: claims changed (if the change is right, re-run the notebook and commit "
        "its claim outputs):\n" + "\n".join(problems)
    )
