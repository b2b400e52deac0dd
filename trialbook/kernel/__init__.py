"""What the library does inside a Jupyter kernel: the live comm bridge to JupyterLab."""

from __future__ import annotations

import os
import sys
import threading
from typing import TYPE_CHECKING

from trialbook import events
from trialbook.store import add_change_listener

if TYPE_CHECKING:
    from trialbook.kernel.bridge import KernelBridge

_bridge: KernelBridge | None = None
_lock = threading.Lock()


def running_in_kernel() -> bool:
    """True inside an IPython kernel (not a terminal IPython, not a plain script)."""
    if "ipykernel" not in sys.modules:
        return False
    from IPython import get_ipython

    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def attach_to_kernel() -> KernelBridge | None:
    """Start the bridge once per kernel process; a no-op anywhere else."""
    global _bridge
    if not running_in_kernel():
        return None
    with _lock:
        if _bridge is None:
            # Only inside a kernel: scripts never import comm or the bridge.
            from comm import create_comm, get_comm_manager

            from trialbook.kernel.bridge import KernelBridge
            from trialbook.kernel.protocol import TARGET_NAME

            bridge = KernelBridge(create_comm)
            add_change_listener(bridge.on_changes)
            get_comm_manager().register_target(TARGET_NAME, bridge.on_frontend_open)
            _bridge = bridge
        return _bridge


def _forget_in_child() -> None:
    # A forked data-loader worker is not the kernel: it must not talk on the kernel's comms.
    global _bridge
    _bridge = None
    events.set_live(None)


os.register_at_fork(after_in_child=_forget_in_child)
