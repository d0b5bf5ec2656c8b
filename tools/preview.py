"""``make preview``: the strict book build, re-executing only what changed.

``make book`` executes every notebook on every build (``execute_notebooks: force``), so a change
to ``optimlite`` reaches every page: minutes at full size. While writing, ``make preview`` builds
the same book just as strictly (``-W -n --keep-going``: any warning or cell error fails) from a
copy of ``_config.yml`` in cache mode (``_config.preview.yml``, git-ignored): jupyter-cache
executes a notebook only when its code changed, so an unchanged rebuild takes seconds and after
editing one chapter only that chapter executes. The cache cannot see a change to the package a
notebook imports, so it is emptied whenever ``optimlite``, ``pyproject.toml`` or
``requirements.txt`` changed since the last preview: then every notebook executes again. Publish
with ``make book``.
"""

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "_config.preview.yml"
CACHE = ROOT / "_build" / ".jupyter_cache"
STAMP = ".sources-sha256"


def sources_digest(root=ROOT):
    """sha256 of what every notebook imports from the repository and the pins it runs on."""
    root = Path(root)
    files = [root / "pyproject.toml", root / "requirements.txt"]
    files += sorted(p for p in (root / "optimlite").rglob("*.py") if "__pycache__" not in p.parts)
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def preview_config(text):
    """``_config.yml``'s text with notebooks executed in cache mode."""
    forced = "execute_notebooks: force"
    if forced not in text:
        raise ValueError(f"_config.yml has no `{forced}` line to switch to cache mode")
    return text.replace(forced, "execute_notebooks: cache", 1)


def main():
    CONFIG.write_text(preview_config((ROOT / "_config.yml").read_text()))
    digest = sources_digest()
    stamp = CACHE / STAMP
    if CACHE.exists() and (not stamp.is_file() or stamp.read_text().strip() != digest):
        print("optimlite or the pins changed: every notebook executes again")
        shutil.rmtree(CACHE)
    jupyter_book = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jupyter_book), "build", str(ROOT), "--config", str(CONFIG), "-W", "-n"]
    code = subprocess.call(cmd + ["--keep-going"], cwd=ROOT)
    if code == 0 and CACHE.is_dir():
        stamp.write_text(digest + "\n")
    return code


if __name__ == "__main__":
    sys.exit(main())
