"""Deflate for the index's blocks and records: python-isal's when installed.

Whoosh compresses each stored record and each posting block of eight or more
postings with zlib at level 3, and reads them back with ``zlib.decompress``.
ISA-L's level 1 makes the same zlib format about as small in half the time
(compressing was an eighth of a rebuild's time with zlib), and it inflates a
block in three quarters of zlib's time.
"""

from __future__ import annotations

import struct
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


# A stored record's pickle from which deflating it pays. ISA-L's deflate has a fixed cost a
# call however little it is given; a highlight's record saves little. Below this the record
# goes in a zlib stream of one stored block: still the zlib format Whoosh's reader inflates.
RECORD_MIN = 400
_STORED_HEAD = struct.Struct("<2sBHH")  # zlib header, final stored block, its length and ~length
_ADLER = struct.Struct(">I")


def compress_record(data: bytes) -> bytes:
    """A stored record as a zlib stream, deflated from RECORD_MIN bytes."""
    return compress(data) if len(data) >= RECORD_MIN else stored_stream(data)


def stored_stream(data: bytes) -> bytes:
    """``zlib.compress(data, 0)`` for data under 64 KB, written out: zlib's own call
    zeroed its 200 KB of state first, four times as long for a highlight's record."""
    size = len(data)
    if size > 0xFFFF:
        return zlib.compress(data, 0)
    return _STORED_HEAD.pack(b"\x78\x01", 1, size, size ^ 0xFFFF) + data + _ADLER.pack(zlib.adler32(data))
