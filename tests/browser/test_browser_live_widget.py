"""The live face in a real JupyterLab: a learner runs an explorer cell and moves its slider.

The unit tests drive the widget from Python; this test checks what they cannot: that JupyterLab's
widget manager renders the explorer's ipywidgets view and that a slider moved with the keyboard
makes the kernel redraw the figure.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

CELL = "import optimlite\noptimlite.explorers.lr_dilemma()\n"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """JupyterLab on 127.0.0.1 over a folder holding one explorer notebook; yields its URL."""
    root = tmp_path_factory.mktemp("lab")
    nb = {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "source": CELL,
                   "execution_count": None, "id": "explorer"}],
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }  # fmt: skip
    (root / "live.ipynb").write_text(json.dumps(nb))
    port = _free_port()
    env = dict(os.environ, JUPYTER_RUNTIME_DIR=str(root / "runtime"))
    cmd = [
        str(Path(sys.executable).parent / "jupyter-lab"),
        "--no-browser", "--allow-root", f"--port={port}", "--ServerApp.ip=127.0.0.1",
        "--ServerApp.token=", "--ServerApp.password=", f"--ServerApp.root_dir={root}",
        f"--LabApp.workspaces_dir={root / 'workspaces'}",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert proc.poll() is None, "jupyter lab exited"
            time.sleep(0.5)
        else:
            pytest.fail("jupyter lab did not start within 90 s")
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_slider_redraws_the_figure_in_jupyterlab(lab, browser_page, tmp_path):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    page = browser_page
    page.set_default_timeout(60_000)
    page.goto(f"{lab}/lab/tree/live.ipynb", wait_until="load")
    page.wait_for_selector(".jp-Notebook .jp-Cell")
    # A cold kernel may miss the first request: run the cell until its widget shows (3 tries).
    image = page.locator(".jupyter-widgets img").first
    for attempt in range(3):
        page.wait_for_selector("text=Python 3 (ipykernel) | Idle", timeout=120_000)
        page.click("text=Run")
        page.click("text=Run All Cells")
        try:
            image.wait_for(timeout=30_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                page.screenshot(path=str(tmp_path / "jupyterlab.png"))
                raise
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 100", arg=image.element_handle()
    )
    readout = page.locator(".widget-readout").first
    before_src, before_value = image.get_attribute("src"), readout.inner_text()

    page.locator(".jupyter-widgets .noUi-handle").first.focus()
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "([img, src]) => img.src !== src && img.complete && img.naturalWidth > 100",
        arg=[image.element_handle(), before_src],
    )
    assert readout.inner_text() != before_value
    assert page.real_errors() == []
