"""Every chapter is deterministic: two fresh executions state the same claims, to the character.

A claim is what the reader sees as a result of the book: the output of a cell tagged
``nbval-check-output`` and every value glued into the prose (``myst_nb.glue``). nbval compares
the claim cells with the outputs committed in git, which cannot tell an unseeded computation from
a seeded one that happened to print the same digits once; running each notebook twice, each in a
fresh kernel (so a different hash seed, new process state), and comparing the runs can. The first
run is the strict book build's, the second one is made here. Claim cells are compared with the
build's executed copy (``_build/jupyter_execute``); myst-nb removes glue outputs from that copy
when it pastes them, so glued values are compared with what the build pasted into the page (the
``pasted-text`` spans of its HTML, in the order of the ``{glue:text}`` roles). Text is compared
exactly; images are not (the plot style may change without changing a claim).
"""

import copy
import html
import json
import re
from pathlib import Path

import nbformat
import pytest
from myst_nb.core.variables import format_plain_text

CHAPTERS_DIR = Path(__file__).resolve().parent.parent / "chapters"
CHAPTERS = sorted(CHAPTERS_DIR.glob("*.ipynb"))
CLAIM = "nbval-check-output"
#: seconds one cell may take (a chapter should run in well under a minute on two cores)
CELL_TIMEOUT = 300


def _execute(nb):
    from nbclient import NotebookClient

    nb = copy.deepcopy(nb)
    client = NotebookClient(
        nb,
        kernel_name="python3",
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(CHAPTERS_DIR)}},  # the notebook's folder, as the book
    )
    client.execute()
    return nb


def _texts(output):
    """The text an output shows: its stream text, or each text mime type of its data."""
    if output["output_type"] == "stream":
        return {output["name"]: output["text"]}
    data = output.get("data", {})
    return {mime: value for mime, value in data.items() if "text" in mime or "json" in mime}


def _merged(outputs):
    """Outputs with consecutive chunks of one stream joined (chunking depends on timing)."""
    merged = []
    for output in outputs:
        if (
            merged
            and output["output_type"] == "stream"
            and merged[-1]["output_type"] == "stream"
            and merged[-1]["name"] == output["name"]
        ):
            merged[-1] = dict(merged[-1], text=merged[-1]["text"] + output["text"])
        else:
            merged.append(output)
    return merged


def claims(nb):
    """Dict cell label -> the claimed texts of that cell (claim cells and glued values)."""
    found = {}
    for i, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        label = f"cell {i} ({cell.get('id', 'no id')})"
        if CLAIM in cell.metadata.get("tags", []):
            found[label] = [(o["output_type"], _texts(o)) for o in _merged(cell.get("outputs", []))]
        glued = {
            o["metadata"]["scrapbook"]["name"]: _texts(o)
            for o in cell.get("outputs", [])
            if "scrapbook" in o.get("metadata", {})
        }
        if glued:
            found[f"{label} glue"] = glued
    return found


GLUE_TEXT = re.compile(r"\{glue:text\}`([^`]+)`")
PASTED = re.compile(r'<span class="pasted-text">(.*?)</span>', re.S)


def _pasted_keys(nb):
    """(key, format spec) of every ``{glue:text}`` role of the notebook, in page order, split
    as myst-nb splits them."""
    roles = []
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for role in GLUE_TEXT.findall(cell.source):
                key, _, spec = role.rpartition(":") if ":" in role else (role, "", "s")
                roles.append((key, spec))
    return roles


def pasted_texts(nb):
    """The glued texts a fresh run would paste, in page order (myst-nb's own formatting)."""
    glued = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            if "scrapbook" in output.get("metadata", {}):
                meta = output["metadata"]["scrapbook"]
                data = output["data"]
                plain = data.get(f"{meta.get('mime_prefix', '')}text/plain", data.get("text/plain"))
                glued[meta["name"]] = plain
    roles = _pasted_keys(nb)
    return [_as_typed(format_plain_text(glued[k], spec)) for k, spec in roles if k in glued]


#: Sphinx's smart quotes, dashes and ellipses, written back as typed (both sides are compared so)
_TYPOGRAPHY = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})


def _as_typed(text):
    text = text.replace("---", "\u2014").replace("--", "\u2013").replace("...", "\u2026")
    return text.translate(_TYPOGRAPHY)


def page_pasted_texts(page: str):
    """The pasted-text spans of a built page, in order (typography as typed)."""
    spans = PASTED.findall(page)
    return [_as_typed(html.unescape(re.sub(r"<[^>]+>", "", text))) for text in spans]


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
    """The strict book build is the first run (its executed copy under ``_build``), one fresh
    kernel here the second: no chapter is executed more often than this check needs."""
    assert book.returncode == 0, book.log[-3000:]
    built = book.html.parent / "jupyter_execute" / path.relative_to(CHAPTERS_DIR.parent)
    assert built.exists(), f"the book build left no executed copy of {path.name} at {built}"
    page = book.html / path.relative_to(CHAPTERS_DIR.parent).with_suffix(".html")
    fresh = _execute(nbformat.read(path, as_version=4))
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
