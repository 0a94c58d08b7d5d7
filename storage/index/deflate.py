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


# A stored record's pickle from which deflating it pays. ISA-L's deflate costs 6 to 8 µs a
# call however little it is given; a highlight's record of about 300 bytes came out a sixth
# smaller for it. Below this the record goes in zlib's stored blocks (level 0, 1.6 µs):
# still the zlib format Whoosh's reader inflates.
RECORD_MIN = 400


def compress_record(data: bytes) -> bytes:
    """A stored record as a zlib stream, deflated from RECORD_MIN bytes."""
    return compress(data) if len(data) >= RECORD_MIN else zlib.compress(data, 0)
