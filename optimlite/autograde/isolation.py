"""Start a learner's sandbox (:mod:`.sandbox`) kept away from the grader.

The sandbox is a separate process with resource limits (address space, CPU time, file size) and,
where the machine allows it (Linux ``unshare``, as root or with unprivileged user namespaces),
its own namespaces: no network (a new network namespace has only a downed loopback), its own
process ids (it cannot signal the grader or anything else outside), and every mount read-only
except an empty scratch ``tmpfs`` as its working folder (it cannot change the course, the
grader's files or another submission's), the exercise masters and autograder zips hidden under
empty mounts (it cannot read solutions or hidden tests: the caller names them), and all
capabilities dropped (``setpriv``) so it cannot undo any of that. :func:`isolation_level` says
which applies on this machine; without namespaces the limits and the process boundary still
hold, and the grade is still decided outside the learner's process."""

import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

from . import wire

#: runs inside the new namespaces, before the learner's interpreter starts ("$@" is that command)
_INSIDE = r"""
mount --make-rprivate / 2>/dev/null
for target in $(awk '{print $2}' /proc/self/mounts | sort -u); do
  case "$target" in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*) ;;
    *) mount -o remount,bind,ro "$target" 2>/dev/null ;; esac
done
IFS=:
for hidden in $SANDBOX_HIDE; do mount -t tmpfs -o size=4k,ro tmpfs "$hidden" || exit 97; done
unset IFS
mount -t tmpfs -o size=64m,mode=1777 tmpfs "$SANDBOX_WORK" || exit 97
cd "$SANDBOX_WORK" || exit 97
exec setpriv --bounding-set=-all --inh-caps=-all --no-new-privs "$@"
"""


@functools.lru_cache(maxsize=1)
def _namespace_prefix():
    """The ``unshare`` command line that works here, or None."""
    if not (shutil.which("unshare") and shutil.which("setpriv")):
        return None
    flags = ["--mount", "--net", "--pid", "--fork", "--kill-child", "--mount-proc"]
    user = [] if os.geteuid() == 0 else ["--user", "--map-root-user"]
    prefix = ["unshare", *user, *flags]
    try:
        probe = subprocess.run(
            [*prefix, "sh", "-c", "mount -t tmpfs tmpfs /mnt && setpriv --bounding-set=-all true"],
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=20,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return prefix if probe.returncode == 0 else None


def isolation_level():
    """``"namespaces"`` (no network, own pids, read-only files) or ``"process"`` (limits only)."""
    return "namespaces" if _namespace_prefix() else "process"


def _limits(memory_mb, cpu_seconds):
    """The child's resource limits (runs in the child before it executes anything)."""

    def apply():
        memory = int(memory_mb) * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_CPU, (int(cpu_seconds), int(cpu_seconds) + 5))
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 2**20, 64 * 2**20))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))

    return apply


class SandboxGone(Exception):
    """The learner's process ended (it exited, was killed by a limit, or never started);
    ``cell`` is the code cell it was running then, if it was running one."""

    cell = None


class Sandbox:
    """One running :mod:`.sandbox` process and its two pipes.

    ``Sandbox(notebook, folder, ...)`` starts it and waits until the notebook's cells have run
    (``cell_errors`` then lists the cells that failed); :meth:`request` sends one request and
    returns the reply. Any interruption during a request (the grader's time limit) kills it:
    a sandbox is never reused after a call that did not finish. ``hidden``: folders the
    learner's process must not read (the masters, the tests), covered by empty mounts inside the
    namespaces.
    """

    def __init__(
        self, notebook, folder, *, cell_timeout, memory_mb, cpu_seconds, skip=(), hidden=()
    ):
        work = Path(folder) / "work"
        work.mkdir(exist_ok=True)
        to_child, self._requests = os.pipe()
        self._replies, from_child = os.pipe()
        command = [
            sys.executable,
            "-m",
            "optimlite.autograde.sandbox",
            str(to_child),
            str(from_child),
            str(cell_timeout),
            str(notebook),
            ",".join(str(i) for i in sorted(skip)),
        ]
        prefix = _namespace_prefix()
        if prefix:
            command = [*prefix, "sh", "-c", _INSIDE, "sandbox", *command]
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(work),
            "SANDBOX_WORK": str(work),
            "SANDBOX_HIDE": ":".join(str(Path(h).resolve()) for h in hidden if Path(h).is_dir()),
            "MPLBACKEND": "Agg",
            "MPLCONFIGDIR": str(work),
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
        }
        try:
            self.process = subprocess.Popen(
                command,
                cwd=work,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(to_child, from_child),
                preexec_fn=_limits(memory_mb, cpu_seconds),
                start_new_session=True,
            )
        finally:
            os.close(to_child)
            os.close(from_child)
        #: the index of the code cell running when the process ended, if it ended during one
        self.running_cell = None
        try:
            ready = self._receive()  # {"cell": i} as each cell starts, then {"ready": ...}
            while isinstance(ready, dict) and type(ready.get("cell")) is int:
                self.running_cell = ready["cell"]
                ready = self._receive()
        except SandboxGone as exc:
            exc.cell = self.running_cell
            raise
        except BaseException:  # the grader's deadline
            self.kill()
            raise
        if not (isinstance(ready, dict) and ready.get("ready")):
            self.kill()
            raise SandboxGone("its process did not start properly")
        errors = ready.get("cell_errors")
        #: [[cell index, "Error: message"], ...] of the cells that failed
        self.cell_errors = [
            [e[0], e[1]]
            for e in (errors if isinstance(errors, list) else [])
            if isinstance(e, list) and len(e) == 2 and type(e[0]) is int and type(e[1]) is str
        ]

    def _receive(self):
        try:
            return wire.receive(self._replies)
        except (EOFError, wire.WireError) as exc:
            code = self.kill()
            raise SandboxGone(self._ended(code, exc)) from None

    @staticmethod
    def _ended(code, exc):
        if isinstance(exc, wire.WireError):
            return f"its process sent {exc}"
        if code is not None and code < 0:
            name = signal.Signals(-code).name if -code in signal.valid_signals() else -code
            return f"its process was stopped by {name} (the CPU-time or memory limit?)"
        return f"its process ended (exit code {code})"

    def request(self, message):
        """Send ``message``; return the reply (a dict). Kills the sandbox if interrupted."""
        try:
            wire.send(self._requests, message)
            reply = self._receive()
        except SandboxGone:
            raise
        except BaseException:
            self.kill()
            raise
        if not isinstance(reply, dict):
            self.kill()
            raise SandboxGone("its process sent a malformed reply")
        return reply

    @property
    def alive(self):
        return self.process.poll() is None

    def kill(self):
        """Stop the process (and everything it started); return its exit code."""
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        code = self.process.wait()
        for fd in (self._requests, self._replies):
            try:
                os.close(fd)
            except OSError:
                pass
        self._requests = self._replies = -1
        return code
