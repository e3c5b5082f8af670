"""Deciding whether a Tantivy index is damaged, from what its files hold.

Every Tantivy segment file ends with a footer: a JSON object holding the CRC32 of the body, the
footer's length and the magic number 1337. Tantivy checks them only in its Rust API, so this module
reads them itself, and checks that every file ``meta.json`` names is there. Tantivy's own errors
("Data corrupted", or a Rust panic) do not say whether the files or a bug are to blame; this does.
"""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path
from typing import Optional

from searchkit.engines.tantivy import META_FILE

#: The files of a segment with our schema (positions are always written: headline and body have them).
_SEGMENT_FILES = ("idx", "pos", "term", "store", "fast", "fieldnorm")
_MAGIC = 1337


def find_damage(folder: Path) -> Optional[str]:
    """What is wrong with the index in ``folder``, or ``None`` when every file checks out."""
    try:
        meta = json.loads((folder / META_FILE).read_bytes())
        segments = meta["segments"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        return f"{META_FILE} cannot be read ({type(error).__name__}: {error})"
    for segment in segments:
        stem = str(segment["segment_id"]).replace("-", "")
        names = [f"{stem}.{suffix}" for suffix in _SEGMENT_FILES]
        deletes = segment.get("deletes")
        if deletes:
            names.append(f"{stem}.{deletes['opstamp']}.del")
        for name in names:
            problem = _check_file(folder / name)
            if problem is not None:
                return f"{name}: {problem}"
    return None


def _check_file(path: Path) -> Optional[str]:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return "missing"
    except OSError as error:
        return f"unreadable ({error.strerror or error})"
    if len(data) < 8:
        return "shorter than its footer"
    length, magic = struct.unpack("<II", data[-8:])
    if magic != _MAGIC or length + 8 > len(data):
        return "no valid footer (truncated?)"
    try:
        footer = json.loads(data[-8 - length:-8])
        expected = int(footer["crc"])
    except (ValueError, KeyError, TypeError):
        return "footer is not readable"
    if zlib.crc32(data[: -8 - length]) != expected:
        return "checksum mismatch"
    return None
