"""Spot a submission whose code reaches for the grader, the process or the files.

The grade never depends on this scan: the learner's code runs in a sandbox and the score is
computed outside it (:mod:`.trusted`), so patching the grading helpers, numpy or otter,
exiting, or writing files changes nothing. But a teacher wants to know who tried: a submission
with findings gets the status ``flagged`` in the CSV and the findings in its message. The scan
reads the code (each cell parsed as IPython would run it) and never runs it. It looks for

* changes to modules: assigning or deleting an attribute of an imported module
  (``grading.assert_array = ...``, ``np.allclose = ...``), ``setattr``/``delattr`` on one;
* the machinery: ``sys.modules``, ``builtins``/``__builtins__``, ``importlib``, ``ctypes``,
  ``gc``, frames (``sys._getframe``, ``inspect.currentframe``/``stack``), ``exec``/``eval``/
  ``compile``/``__import__``, the grader's modules (``optimlite.grading``, ``exercises``,
  anything of ``otter`` but ``otter.Notebook`` and ``grader.check``/``check_all``/``export``);
* ending or leaving the process: ``os._exit``/``kill``/``abort``, ``sys.exit``, ``exit()``,
  ``quit()``, ``signal``, ``subprocess``, ``socket``, shell commands (``!cmd``, ``%%bash``);
* writing files: ``open`` for writing, ``write_text``/``write_bytes``, ``os.remove`` and the like,
  ``shutil``;
* objects that rig comparisons: a class defining ``__eq__``, ``__ne__``, ``__array_ufunc__`` or
  ``__array_function__``.
"""

import ast

__all__ = ["findings", "describe"]

_MODULES_OFF_LIMITS = {
    "builtins": "the interpreter's builtins",
    "importlib": "the import machinery",
    "ctypes": "raw memory access",
    "gc": "the garbage collector's object lists",
    "subprocess": "other processes",
    "socket": "the network",
    "signal": "signals and alarms (the time limits)",
    "shutil": "files",
    "exercises": "the course's grader",
    "optimlite.grading": "the grading helpers",
}
_CALLS = {
    ("os", "_exit"): "ends the process",
    ("os", "kill"): "sends a signal to a process",
    ("os", "killpg"): "sends a signal to processes",
    ("os", "abort"): "ends the process",
    ("posix", "_exit"): "ends the process",
    ("posix", "kill"): "sends a signal to a process",
    ("os", "remove"): "deletes a file",
    ("os", "unlink"): "deletes a file",
    ("os", "rename"): "moves a file",
    ("os", "replace"): "moves a file",
    ("os", "system"): "runs a shell command",
    ("os", "popen"): "runs a shell command",
    ("sys", "exit"): "ends the process",
    ("sys", "_getframe"): "reads the grader's frames",
    ("sys", "settrace"): "traces the grader",
    ("sys", "setprofile"): "traces the grader",
    ("inspect", "currentframe"): "reads the grader's frames",
    ("inspect", "stack"): "reads the grader's frames",
}
_NAMES = {
    "exec": "runs code from a string",
    "eval": "runs code from a string",
    "compile": "compiles code from a string",
    "__import__": "imports by name",
    "exit": "ends the process",
    "quit": "ends the process",
    "__builtins__": "the interpreter's builtins",
}
_RIGGED = {"__eq__", "__ne__", "__array_ufunc__", "__array_function__"}
_OTTER_OK = {"Notebook", "check", "check_all", "export", "to_pdf"}


def _python_source(cell):
    """The cell's code as Python (IPython's magics and ``!`` turned into calls)."""
    from IPython.core.inputtransformer2 import TransformerManager

    return TransformerManager().transform_cell(cell)


def _dotted(node):
    """``"a.b.c"`` for a Name/Attribute chain, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        return ".".join([node.id, *reversed(parts)])
    if isinstance(node, ast.Call):  # get_ipython().system(...)
        inner = _dotted(node.func)
        return f"{inner}().{'.'.join(reversed(parts))}" if inner else None
    return None


class _Scan(ast.NodeVisitor):
    def __init__(self, modules):
        self.modules = modules  # alias -> module name, over the whole notebook
        self.found = []  # (line, reason)

    def flag(self, node, reason):
        self.found.append((getattr(node, "lineno", 0), reason))

    def _module_of(self, dotted):
        head, _, rest = dotted.partition(".")
        name = self.modules.get(head)
        return f"{name}.{rest}" if name and rest else name

    def _check_module_name(self, node, name):
        """Flag an import of ``name`` if it is off limits; whether it was."""
        for off_limits, what in _MODULES_OFF_LIMITS.items():
            if name == off_limits or name.startswith(off_limits + "."):
                self.flag(node, f"imports {name} ({what})")
                return True
        if name.startswith("otter.") and name.split(".")[1] not in _OTTER_OK:
            self.flag(node, f"imports {name} (otter's internals)")
            return True
        return False

    def visit_Import(self, node):
        for alias in node.names:
            self._check_module_name(node, alias.name)

    def visit_ImportFrom(self, node):
        module = node.module or ""
        if not self._check_module_name(node, module):
            for alias in node.names:
                self._check_module_name(node, f"{module}.{alias.name}")

    def _target(self, node, verb):
        if isinstance(node, ast.Attribute):
            dotted = _dotted(node.value)
            if dotted and self._module_of(dotted):
                self.flag(node, f"{verb} {dotted}.{node.attr} (changes a module)")
        elif isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                self._target(element, verb)
        elif isinstance(node, ast.Subscript):
            dotted = _dotted(node.value) or ""
            if self._module_of(dotted) == "sys.modules" or dotted == "sys.modules":
                self.flag(node, "changes sys.modules (the imported modules)")

    def visit_Assign(self, node):
        for target in node.targets:
            self._target(target, "assigns")
        self.generic_visit(node)

    def visit_AugAssign(self, node):
        self._target(node.target, "changes")
        self.generic_visit(node)

    def visit_Delete(self, node):
        for target in node.targets:
            self._target(target, "deletes")
        self.generic_visit(node)

    def visit_Attribute(self, node):
        dotted = _dotted(node) or ""
        module = self._module_of(dotted) or ""
        if module in ("sys.modules", "sys.meta_path", "sys.path_hooks"):
            self.flag(node, f"uses {dotted} (the import machinery)")
        elif module.startswith("otter.") and module.split(".")[1] not in _OTTER_OK:
            self.flag(node, f"uses {dotted} (otter's internals)")
        self.generic_visit(node)

    def visit_Name(self, node):
        if node.id in _NAMES and not isinstance(node.ctx, ast.Store):
            self.flag(node, f"uses {node.id} ({_NAMES[node.id]})")

    def visit_Call(self, node):
        dotted = _dotted(node.func) or ""
        module = self._module_of(dotted) or ""
        head, _, last = module.rpartition(".")
        if (head, last) in _CALLS:
            self.flag(node, f"calls {dotted} ({_CALLS[(head, last)]})")
        if dotted in ("setattr", "delattr") and node.args:
            target = _dotted(node.args[0])
            if target and self._module_of(target):
                self.flag(node, f"calls {dotted} on {target} (changes a module)")
        if dotted.startswith("get_ipython()."):
            method = dotted.rsplit(".", 1)[1]
            magic = (
                node.args[0].value if node.args and isinstance(node.args[0], ast.Constant) else ""
            )
            if method in ("system", "getoutput") or magic in ("bash", "sh", "script", "system"):
                self.flag(node, "runs a shell command")
        if dotted == "open" and _writes(node):
            self.flag(node, "opens a file for writing")
        if isinstance(node.func, ast.Attribute) and node.func.attr in ("write_text", "write_bytes"):
            self.flag(node, f"writes a file ({node.func.attr})")
        self.generic_visit(node)

    def visit_ClassDef(self, node):
        for item in node.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name in _RIGGED:
                self.flag(item, f"class {node.name} defines {item.name} (a rigged comparison?)")
        self.generic_visit(node)


def _writes(call):
    """Whether ``open(...)`` is called with a mode that writes."""
    mode = call.args[1] if len(call.args) > 1 else None
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    if mode is None:
        return False
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return any(c in mode.value for c in "wax+")
    return True  # a mode computed at run time


def _aliases(trees):
    """alias -> module name, for every import in the notebook."""
    modules = {}
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        modules[alias.asname] = alias.name
                    else:
                        head = alias.name.split(".")[0]
                        modules[head] = head
            elif isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:  # `from optimlite import grading`: maybe a module
                    modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    for name in ("sys", "os", "builtins"):
        modules.setdefault(name, name)
    return modules


def findings(nb):
    """``[(code cell number, line, reason), ...]`` for a notebook (a dict, as read from JSON)."""
    trees = []
    for number, cell in enumerate(c for c in nb.get("cells", []) if c.get("cell_type") == "code"):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        try:
            trees.append((number + 1, ast.parse(_python_source(source))))
        except (SyntaxError, ValueError):
            continue  # it fails in the sandbox too, and scores nothing
    modules = _aliases(tree for _, tree in trees)
    found = []
    for number, tree in trees:
        scan = _Scan(modules)
        scan.visit(tree)
        seen = set()
        for line, reason in scan.found:  # one finding per line is enough to look at
            if line not in seen:
                seen.add(line)
                found.append((number, line, reason))
    return found


def describe(found, most=5):
    """The findings as one line for the CSV ('' when there are none)."""
    if not found:
        return ""
    shown = [f"cell {cell} line {line}: {reason}" for cell, line, reason in found[:most]]
    more = f" (+{len(found) - most} more)" if len(found) > most else ""
    return "touches the grader: " + "; ".join(shown) + more
