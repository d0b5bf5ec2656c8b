"""Every way in: the GitHub workflows (tests, Pages), Binder's configuration, and the buttons of
every chapter page (download the .ipynb, repository, issues, Binder, Colab), all derived from
``repository.url`` in ``_config.yml``. What needs the internet (the launched sessions, the
deployed site) is checked by a maintainer after publishing: README, "Publishing"."""

import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
CHECK_JSONSCHEMA = Path(sys.executable).parent / "check-jsonschema"
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPO_URL = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")
CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _validate(paths):
    cmd = [str(CHECK_JSONSCHEMA), "--builtin-schema", "vendor.github-workflows", *map(str, paths)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def _steps(workflow):
    jobs = yaml.safe_load(workflow.read_text())["jobs"]
    return [step for job in jobs.values() for step in job.get("steps", [])]


def test_workflows_follow_the_github_workflow_schema(tmp_path):
    assert {p.name for p in WORKFLOWS} >= {"test.yml", "pages.yml"}
    proc = _validate(WORKFLOWS)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    broken = tmp_path / "broken.yml"  # the check can fail: a job without runs-on
    broken.write_text("on: push\njobs:\n  build:\n    steps:\n      - run: make\n")
    assert _validate([broken]).returncode != 0


def test_the_test_workflow_runs_ci_which_runs_make_test():
    runs = " ".join(step.get("run", "") for step in _steps(ROOT / ".github/workflows/test.yml"))
    assert ".ci/run" in runs
    ci = (ROOT / ".ci" / "run").read_text()
    assert "make test" in ci and "apt-get install -y -q chromium" in ci


def test_the_pages_workflow_builds_the_book_and_deploys_it():
    steps = _steps(ROOT / ".github/workflows/pages.yml")
    assert any(step.get("run", "").strip() == "make book" for step in steps)
    upload = [s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "_build/html"
    assert any(s.get("uses", "").startswith("actions/deploy-pages@") for s in steps)
    permissions = yaml.safe_load((ROOT / ".github/workflows/pages.yml").read_text())["permissions"]
    assert permissions["pages"] == "write" and permissions["id-token"] == "write"


@pytest.mark.parametrize("workflow", ["test.yml", "pages.yml"])
def test_workflows_install_the_cpu_build_of_torch(workflow):
    text = (ROOT / ".github/workflows" / workflow).read_text()
    assert "PIP_EXTRA_INDEX_URL: https://download.pytorch.org/whl/cpu" in text


def _pin(package):
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        name, _, version = line.split("#")[0].strip().partition("==")
        if name == package:
            return version
    raise AssertionError(f"requirements.txt does not pin {package}")


def test_binder_installs_the_cpu_build_of_torch_and_the_course():
    requirements = (ROOT / "binder" / "requirements.txt").read_text()
    lines = [line.strip() for line in requirements.splitlines() if not line.startswith("#")]
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in lines
    assert f"torch=={_pin('torch')}+cpu" in lines  # the root pin, CPU build
    assert not any("nvidia" in line or "cu1" in line for line in lines)
    post = ROOT / "binder" / "postBuild"
    assert post.stat().st_mode & 0o111, "binder/postBuild must be executable"
    assert "-r requirements.txt" in post.read_text()  # the course (-e .) and the notebooks' needs
    assert "python -m exercises.build" in post.read_text()
    runtime = (ROOT / "binder" / "runtime.txt").read_text().strip()
    assert runtime == "python-3.11"


def _page(book, chapter):
    return (book.html / "chapters" / f"{chapter.stem}.html").read_text()


def _hrefs(html):
    return [h.replace("&amp;", "&") for h in re.findall(r'href="([^"]+)"', html)]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_chapter_buttons_point_at_the_repository_and_the_notebook(book, chapter):
    """Download gives the .ipynb; repository, issues, Binder (binder/ config) and Colab point at
    repository.url."""
    assert book.returncode == 0, book.log[-3000:]
    hrefs = _hrefs(_page(book, chapter))
    rel = f"chapters/{chapter.name}"
    # download: the notebook itself, as the book serves it
    downloads = [h for h in hrefs if h.endswith(f"_sources/{rel}")]
    assert downloads, f"{chapter.name}: no download link to the .ipynb"
    served = book.html / "_sources" / rel
    assert served.read_bytes() == chapter.read_bytes()
    assert REPO_URL in hrefs, "no repository button"
    issues = [h for h in hrefs if h.startswith(f"{REPO_URL}/issues/new")]
    assert issues, "no issues button"
    owner_repo = REPO_URL.removeprefix("https://github.com/")
    binder = f"https://mybinder.org/v2/gh/{owner_repo}/{BRANCH}?urlpath=lab/tree/{rel}"
    assert binder in hrefs or f"{binder}".replace("/", "%2F") in " ".join(hrefs), [
        h for h in hrefs if "mybinder" in h
    ]
    colab = f"https://colab.research.google.com/github/{owner_repo}/blob/{BRANCH}/{rel}"
    assert colab in hrefs, [h for h in hrefs if "colab" in h]
    assert quote(rel) in " ".join(hrefs)
