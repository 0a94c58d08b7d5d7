"""Deflate for the index's blocks and records: python-isal's when installed.

Whoosh compresses each stored record and each posting block of eight or more
postings with zlib at level 3, and reads them back with ``zlib.decompress``.
ISA-L's level 1 makes the same zlib format about as small in half the time
(compressing was an eighth of a rebuild's time with zlib), and it inflates a
block in three quarters of zlib's time.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import partial

compress: Callable[[bytes], bytes]
decompress: Callable[[bytes], bytes]
try:
    from isal import isal_zlib
except ImportError:  # no wheel for this platform: zlib's, the same format
    compress = partial(zlib.compress, level=3)
    decompress = zlib.decompress
else:
    compress = partial(isal_zlib.compress, level=1)
    decompress = isal_zlib.decompress
