"""How the tools start Jupyter kernels: quietly, and without leaving files behind.

* The kernels talk to their client over IPC sockets rather than TCP: nothing listens
  on a port, and ipykernel has no reason to warn "Kernel is running over TCP without
  encryption" into every log.
* :func:`private_folder` points ``JUPYTER_RUNTIME_DIR`` (connection files, sockets)
  and ``TMPDIR`` (ipykernel's cell files, anything a lecture puts in a temporary
  file) of every process started inside it at a fresh folder, removed at the end.
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile

_VARS = ("JUPYTER_RUNTIME_DIR", "TMPDIR")
_MAX_SOCKET_PATH = 100  # sockaddr_un holds 104-108 bytes, depending on the system


def manager_class():
    """jupyter_client's kernel manager, with the IPC transport.

    Each kernel's sockets get a short path of their own in the runtime folder (jupyter_client's
    default, ``kernel-ipc-N`` in the working folder, makes two kernels started at once in the
    same folder pick the same sockets). Where that path would pass the length a Unix socket
    allows, the kernel falls back to TCP.
    """
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from jupyter_core.paths import jupyter_runtime_dir
    from traitlets import default

    class IPCKernelManager(AsyncKernelManager):
        def _socket_base(self) -> str | None:
            if not hasattr(self, "_genlib_base"):
                base = os.path.join(jupyter_runtime_dir(), f"k{uuid.uuid4().hex[:6]}")
                self._genlib_base = base if len(base) + 8 <= _MAX_SOCKET_PATH else None
            return self._genlib_base

        @default("transport")
        def _default_transport(self):
            return "ipc" if self._socket_base() else "tcp"

        @default("ip")
        def _default_ip(self):
            if self.transport != "ipc":
                return "127.0.0.1"
            os.makedirs(os.path.dirname(self._socket_base()), exist_ok=True)
            return self._socket_base()

    return IPCKernelManager


@contextlib.contextmanager
def private_folder(prefix: str = "genlib-kernels-"):
    """Run the block with the kernel files of child processes in a folder of its own."""
    folder = tempfile.mkdtemp(prefix=prefix)
    saved = {k: os.environ.get(k) for k in _VARS}
    os.environ.update({k: folder for k in _VARS})
    try:
        yield folder
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
        shutil.rmtree(folder, ignore_errors=True)
