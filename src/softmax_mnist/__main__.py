"""``python -m softmax_mnist`` is the ``softmax-mnist`` command."""

import sys

from .cli import main

sys.exit(main())
