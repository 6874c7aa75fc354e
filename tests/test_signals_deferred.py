"""signals.deferred holds Ctrl-C back for the whole block even when other threads run
(OpenBLAS starts some), and delivers it after the block."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from softmax_mnist import signals


def test_ctrl_c_waits_for_the_end_of_the_block_with_other_threads_running():
    stop = threading.Event()
    helper = threading.Thread(target=stop.wait)  # a thread that does not block SIGINT
    helper.start()
    finished_block = False
    try:
        with pytest.raises(KeyboardInterrupt), signals.deferred():
            os.kill(os.getpid(), signal.SIGINT)  # to the process: any thread may get it
            deadline = time.monotonic() + 0.2
            while time.monotonic() < deadline:  # bytecode runs: a pending signal fires
                pass
            finished_block = True
    finally:
        stop.set()
        helper.join()
    assert finished_block
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_sigterm_in_the_block_becomes_terminated_after_it():
    with (signals.terminate_as_interrupt(), pytest.raises(signals.Terminated),
          signals.deferred(), signals.deferred()):  # nested blocks too
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.05)
