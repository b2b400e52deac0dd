"""What produced a trial component: notebook cell, kernel, host, Python, packages, git.

Captured once per component creation; what cannot change within a process (host, Python)
is read once, package versions again only when a module was imported since, and the git
state at most every 30 s, so creating many components stays cheap. The cell (source,
execution count), cwd and pid are read each time.
"""

from __future__ import annotations

import os
import platform
import re
import socket
import subprocess
import sys
import threading
import time
from typing import Any

from trialbook import __version__

_GIT_TTL_SECONDS = 30.0
_cache_lock = threading.Lock()
_git_cache: dict[str, tuple[float, dict[str, Any] | None]] = {}
_module_distributions: dict[str, list[str]] | None = None
_versions: dict[str, str] = {}
_packages: tuple[int, dict[str, str]] | None = None  # (len(sys.modules), versions)
_host = socket.gethostname()
_python = platform.python_version()


def capture() -> dict[str, Any]:
    """Provenance of the current execution (kernel cell when inside one, else the script)."""
    cwd = os.getcwd()
    info: dict[str, Any] = {
        "host": _host,
        "pid": os.getpid(),
        "python": _python,
        "python_executable": sys.executable,
        "cwd": cwd,
        "captured_at": time.time(),
    }
    kernel = kernel_context()
    if kernel:
        info.update(kernel)
    else:
        info["argv"] = list(sys.argv)
        main = sys.modules.get("__main__")
        script = getattr(main, "__file__", None)
        if script:
            info["script"] = os.path.abspath(script)
    git = git_state(cwd)
    if git:
        info["git"] = git
    info["packages"] = package_versions()
    info["trialbook"] = __version__
    return info


def kernel_context() -> dict[str, Any] | None:
    """Notebook path, cell id, execution count, cell source and kernel id inside IPython."""
    ipython_module = sys.modules.get("IPython")
    if ipython_module is None:
        return None
    try:
        shell = ipython_module.get_ipython()
    except Exception:
        return None
    if shell is None:
        return None
    context: dict[str, Any] = {"in_kernel": hasattr(shell, "kernel")}
    notebook = os.environ.get("JPY_SESSION_NAME")
    if notebook:
        context["notebook_path"] = notebook
    header = _parent_header(shell)
    metadata = header.get("metadata") or {}
    content = header.get("content") or {}
    if metadata.get("cellId"):
        context["cell_id"] = metadata["cellId"]
    code = content.get("code")
    if isinstance(code, str):
        context["cell_source"] = code
    count = _execution_count(shell, code if isinstance(code, str) else None)
    if count is not None:
        context["execution_count"] = count
    kernel_id = _kernel_id()
    if kernel_id:
        context["kernel_id"] = kernel_id
    return context


def _execution_count(shell: Any, code: str | None) -> int | None:
    """The running cell's count. IPython stores the cell in its history before running it but
    advances ``execution_count`` before (IPython >= 8) or after (older) it, so trust the
    history when its last entry is this cell."""
    history = getattr(getattr(shell, "history_manager", None), "input_hist_raw", None)
    if code is not None and history and str(history[-1]).rstrip() == code.rstrip():
        return len(history) - 1
    count = getattr(shell, "execution_count", None)
    return count - 1 if isinstance(count, int) and count > 0 else None


def _parent_header(shell: Any) -> dict[str, Any]:
    kernel = getattr(shell, "kernel", None)
    get_parent = getattr(kernel, "get_parent", None)
    if callable(get_parent):
        try:
            parent = get_parent("shell")
        except TypeError:
            parent = get_parent()
        except Exception:
            parent = None
        if parent:
            return dict(parent)
    header = getattr(shell, "parent_header", None)
    return dict(header) if isinstance(header, dict) else {}


def _kernel_id() -> str | None:
    if "ipykernel" not in sys.modules:
        return None
    try:
        from ipykernel.connect import get_connection_file

        connection_file = get_connection_file()
    except Exception:
        return None
    match = re.search(r"kernel-(.+)\.json$", os.path.basename(connection_file))
    return match.group(1) if match else None


def git_state(directory: str) -> dict[str, Any] | None:
    """Commit and dirty flag of the repository holding ``directory`` (cached briefly)."""
    now = time.monotonic()
    with _cache_lock:
        cached = _git_cache.get(directory)
        if cached and now - cached[0] < _GIT_TTL_SECONDS:
            return cached[1]
    state = _read_git(directory)
    with _cache_lock:
        _git_cache[directory] = (now, state)
    return state


def _read_git(directory: str) -> dict[str, Any] | None:
    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args],
                cwd=directory,
                capture_output=True,
                text=True,
                timeout=2,
                stdin=subprocess.DEVNULL,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip() if done.returncode == 0 else None

    commit = git("rev-parse", "HEAD")
    if not commit:
        return None
    status = git("status", "--porcelain", "--untracked-files=no")
    state: dict[str, Any] = {
        "commit": commit,
        "dirty": bool(status) if status is not None else None,
    }
    root = git("rev-parse", "--show-toplevel")
    if root:
        state["root"] = root
    branch = git("rev-parse", "--abbrev-ref", "HEAD")
    if branch and branch != "HEAD":
        state["branch"] = branch
    return state


def package_versions() -> dict[str, str]:
    """Versions of the distributions whose top-level modules are imported now (+ trialbook);
    recomputed only when modules were imported (or removed) since the last call."""
    global _packages
    modules = len(sys.modules)
    cached = _packages
    if cached is None or cached[0] != modules:
        cached = _packages = (modules, _imported_package_versions())
    return dict(cached[1])


def _imported_package_versions() -> dict[str, str]:
    global _module_distributions
    from importlib import metadata

    with _cache_lock:
        if _module_distributions is None:
            try:
                _module_distributions = dict(metadata.packages_distributions())
            except Exception:
                _module_distributions = {}
        mapping = _module_distributions
    imported = {name.partition(".")[0] for name in list(sys.modules)}
    wanted = {"trialbook"}
    for module in imported:
        wanted.update(mapping.get(module, ()))
    result: dict[str, str] = {}
    for distribution in sorted(wanted):
        version = _versions.get(distribution)
        if version is None:
            try:
                version = metadata.version(distribution)
            except Exception:
                continue
            _versions[distribution] = version
        result[distribution] = version
    return result
