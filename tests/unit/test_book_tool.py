"""tools/book.py, the build behind ``make book`` and ``make preview``: which notebooks it
executes, its cache-mode config, and a failing notebook reported with its traceback."""

from pathlib import Path

import nbformat
import pytest

from tools.book import (
    ROOT,
    book_notebooks,
    cache_config,
    execute_into_cache,
    write_executed_copies,
)


def test_it_executes_every_chapter_and_no_exercise_set():
    names = {p.relative_to(ROOT).as_posix() for p in book_notebooks()}
    assert names == {f"chapters/{p.name}" for p in (ROOT / "chapters").glob("*.ipynb")}


def test_the_config_switches_force_to_cache_mode():
    text = (ROOT / "_config.yml").read_text()
    assert "execute_notebooks: cache" in cache_config(text)
    with pytest.raises(ValueError, match="no `execute_notebooks: force` line"):
        cache_config(text.replace("execute_notebooks: force", "execute_notebooks: auto"))


def _notebook(folder: Path, name: str, source: str) -> Path:
    path = folder / name
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nbformat.write(nb, path)
    return path


@pytest.mark.slow
def test_notebooks_run_in_their_folder_and_a_failure_comes_back_with_its_traceback(tmp_path):
    (tmp_path / "data.txt").write_text("42")
    good = _notebook(tmp_path, "good.ipynb", "print(open('data.txt').read())")
    bad = _notebook(tmp_path, "bad.ipynb", "raise RuntimeError('the loss diverged')")
    cache = tmp_path / "cache"
    failed = execute_into_cache([good, bad], timeout=60, cache_path=cache)
    assert [path for path, _ in failed] == [bad]
    assert "RuntimeError: the loss diverged" in failed[0][1]
    from jupyter_cache import get_cache

    record = get_cache(str(cache)).match_cache_notebook(nbformat.read(good, as_version=4))
    executed = get_cache(str(cache)).get_cache_bundle(record.pk).nb
    assert executed.cells[0].outputs[0]["text"] == "42\n"
    # executed already: a second call runs nothing and reports only what still fails
    assert [path for path, _ in execute_into_cache([good], 60, cache_path=cache)] == []


@pytest.mark.slow
def test_the_executed_copy_holds_this_runs_outputs_not_the_committed_ones(tmp_path):
    """myst-nb's cache mode writes the notebook as read: the claims tests would compare the
    committed outputs with themselves."""
    (tmp_path / "chapters").mkdir()
    path = _notebook(tmp_path / "chapters", "claim.ipynb", "print(6 * 7)")
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="41\n")]
    glue = "from myst_nb import glue\nglue('answer', f'{6 * 7}', display=False)\nprint('shown')"
    nb.cells.append(nbformat.v4.new_code_cell(glue))
    nbformat.write(nb, path)
    cache, out = tmp_path / "cache", tmp_path / "jupyter_execute"
    assert execute_into_cache([path], timeout=60, cache_path=cache) == []
    write_executed_copies([path], cache_path=cache, out=out, root=tmp_path)
    executed = nbformat.read(out / "chapters" / "claim.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"] == "42\n"
    # the glued value is taken out, as force mode does; the printed line stays
    assert [o.get("text") for o in executed.cells[1].outputs] == ["shown\n"]
