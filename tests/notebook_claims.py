"""What a chapter claims, read from an executed notebook: the outputs of its claim cells and
its glued values, as texts (images are never compared: the plot style may change without changing
a claim). Used by ``test_notebook_claims.py`` (the build's run against git) and
``test_notebook_determinism.py`` (the build's run against a second, fresh one)."""

import html
import re

from myst_nb.core.variables import format_plain_text

CLAIM = "nbval-check-output"


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
