"""Every chapter is deterministic: two fresh executions state the same claims, to the character.

A claim is what the reader sees as a result of the book: the output of a cell tagged
``nbval-check-output`` and every value glued into the prose (``myst_nb.glue``). Comparing claim
cells with the outputs committed in git (``test_notebook_claims.py``) cannot tell an unseeded
computation from a seeded one that happened to print the same digits once; running each notebook
twice, each in a fresh kernel (so a different hash seed, new process state), and comparing the
runs can. The first run is the strict book build's, the second one is made by the ``book``
fixture at the same time (``tests/notebook_runs.py``, into ``_build/fresh``): this module
executes nothing itself. Claim cells are compared with the build's executed copy
(``_build/jupyter_execute``); myst-nb removes glue outputs from that copy when it pastes them, so
glued values are compared with what the build pasted into the page (the ``pasted-text`` spans of
its HTML, in the order of the ``{glue:text}`` roles). Text is compared exactly; images are not
(the plot style may change without changing a claim).
"""

import copy
import json
from pathlib import Path

import nbformat
import pytest
from notebook_claims import (
    CLAIM,
    _as_typed,
    claims,
    page_pasted_texts,
    pasted_texts,
)

CHAPTERS_DIR = Path(__file__).resolve().parent.parent / "chapters"
CHAPTERS = sorted(CHAPTERS_DIR.glob("*.ipynb"))


def test_claims_are_compared_with_their_texts():
    """The comparison sees a changed digit, and ignores only how a stream was chunked."""
    one = nbformat.v4.new_code_cell("print(1)", metadata={"tags": [CLAIM]})
    one.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text="a = 1.00"),
        nbformat.v4.new_output("stream", name="stdout", text="01\n"),
    ]
    two = copy.deepcopy(one)
    two.outputs = [nbformat.v4.new_output("stream", name="stdout", text="a = 1.0001\n")]
    glue = nbformat.v4.new_code_cell("glue('x', 1)")
    glue.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"application/papermill.record/text/plain": "'0.25'"},
            metadata={"scrapbook": {"name": "x", "mime_prefix": "x"}},
        )
    ]
    nb = nbformat.v4.new_notebook(cells=[one, glue])
    same = nbformat.v4.new_notebook(cells=[two, copy.deepcopy(glue)])
    assert claims(nb) == claims(same)
    same.cells[0].outputs[0]["text"] = "a = 1.0002\n"
    assert claims(nb) != claims(same)
    same.cells[0].outputs[0]["text"] = "a = 1.0001\n"
    same.cells[1].outputs[0]["data"]["application/papermill.record/text/plain"] = "'0.26'"
    assert claims(nb) != claims(same)


def test_pasted_values_are_read_as_myst_nb_writes_them():
    """A glued string pastes unquoted, a number with its format spec; the page's spans in order."""
    cell = nbformat.v4.new_code_cell("glue('a', '9'); glue('b', 0.125)")
    cell.outputs = [
        nbformat.v4.new_output(
            "display_data",
            data={"text/plain": plain},
            metadata={"scrapbook": {"name": name, "mime_prefix": ""}},
        )
        for name, plain in (("a", "'9'"), ("b", "0.125"))
    ]
    text = nbformat.v4.new_markdown_cell("about {glue:text}`a` digits, {glue:text}`b:.2f` and `b`")
    nb = nbformat.v4.new_notebook(cells=[cell, text])
    assert pasted_texts(nb) == ["9", "0.12"]
    page = '<p>about <span class="pasted-text">9</span>, <span class="pasted-text">0.12</span></p>'
    assert page_pasted_texts(page) == ["9", "0.12"]
    smart = '<span class="pasted-text">the paper\u2019s \u201cpoint\u201d \u2013 see\u2026</span>'
    assert page_pasted_texts(smart) == [_as_typed('the paper\'s "point" -- see...')]


@pytest.mark.slow
@pytest.mark.parametrize("path", CHAPTERS, ids=lambda p: p.name)
def test_two_runs_state_the_same_claims(path, book):
    """The strict book build is the first run (its executed copy under ``_build``), the ``book``
    fixture's second run (``_build/fresh``) the other: no chapter is executed more often than
    this check needs, and nothing is executed here."""
    assert book.returncode == 0, book.log[-3000:]
    rel = path.relative_to(CHAPTERS_DIR.parent)
    built = book.executed / rel
    assert built.exists(), f"the book build left no executed copy of {path.name} at {built}"
    fresh_path = book.fresh / path.name
    runs = json.loads((book.fresh / "runs.json").read_text()) if fresh_path.exists() else {}
    assert path.name in runs, f"the second run did not reach {path.name}: see _build/.fresh.log"
    assert runs[path.name]["error"] is None, f"{path.name} failed in a fresh kernel:\n" + str(
        runs[path.name]["error"]
    )
    page = book.html / rel.with_suffix(".html")
    fresh = nbformat.read(fresh_path, as_version=4)
    first = claims(nbformat.read(built, as_version=4))
    second = {label: texts for label, texts in claims(fresh).items() if not label.endswith("glue")}
    assert first, f"{path.name}: no claim cell ran"
    for label, texts in first.items():
        assert second.get(label) == texts, (
            f"{path.name} {label} differs between two runs: not deterministic (seed it):\n"
            f"first:  {json.dumps(texts, ensure_ascii=False)}\n"
            f"second: {json.dumps(second.get(label), ensure_ascii=False)}"
        )
    assert first.keys() == second.keys()
    assert page_pasted_texts(page.read_text()) == pasted_texts(fresh), (
        f"{path.name}: a glued value differs between the build's page and a fresh run (seed it)"
    )
