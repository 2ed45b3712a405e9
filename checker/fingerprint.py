"""State fingerprints: a 64-bit hash of a state's value, the same in every process.

Python's hash() is not fit for this: hash(-1) == hash(-2), integers equal modulo 2**61 - 1
share a hash, and hash(str) changes with PYTHONHASHSEED. `fingerprint(value)` is instead a
function of the value under Python equality (1 == 1.0 == True == NodeId(1) agree; a `@record`
hashes as the plain tuple it equals; a set as the frozenset it equals), and distinct values
differ except by a genuine 64-bit collision. With `mix` the splitmix64 finaliser (a bijection
of 64-bit words) and all arithmetic modulo 2**64:

    int in int64          mix(v + K_INT)                       (injective)
    other int             mix(K_BIG + negative), then h = mix(h ^ w) per 64-bit word of |v|, low first
    float                 integral: as the int it equals; otherwise mix(IEEE bits ^ K_FLOAT)
    complex               imag == 0: as its real part; otherwise mix(mix(K_COMPLEX ^ f(re)) ^ f(im))
    None                  mix(K_NONE)
    str, bytes            h = mix(K + len(data)), then h = mix(h ^ w) per little-endian 8-byte word
                          (the last zero-padded) of the UTF-8 (surrogatepass) or of the bytes
    tuple (records too)   h = mix(K_TUPLE + len), then h = mix(h ^ f(item)) per item
    frozenset             mix(sum of mix(f(item) ^ K_ELEMENT)  ^  mix(K_SET + len))
    set                   as the frozenset it equals, but only as the whole value: inside a
                          tuple or set it is refused (TypeError), as hash() refuses it
    anything else         mix(hash(value) + K_OBJECT)   (enums, user classes: hash() semantics,
                          so per-process for values whose hash() depends on str hashes)

The result is a signed 64-bit int. `_fingerprint.c` implements the same function in C; this
module uses it when it is built (IMPLEMENTATION == "c") and `python_fingerprint` otherwise.
The C version remembers the fingerprints of the str, tuple and frozenset objects met inside
values, by identity (holding references to at most 4096 of them), because successors share
most of their parts with their parents; `clear_cache()` drops those references.
Other numeric types that equal ints (Fraction, Decimal) go through hash() and so do not agree
with the int they equal.
"""
from typing import Any, Callable

MASK = (1 << 64) - 1
K_INT = 0x9E3779B97F4A7C15
K_BIG = 0xC2B2AE3D27D4EB4F
K_FLOAT = 0x165667B19E3779F9
K_COMPLEX = 0x27D4EB2F165667C5
K_NONE = 0x85EBCA77C2B2AE63
K_STR = 0xD6E8FEB86659FD93
K_BYTES = 0xA0761D6478BD642F
K_TUPLE = 0xE7037ED1A0B428DB
K_SET = 0x8EBC6AF09C88C6E3
K_ELEMENT = 0x589965CC75374CC3
K_OBJECT = 0x1D8E4E27C47D124F


def mix(z: int) -> int:
    """splitmix64's finaliser: a bijection of 64-bit words with good avalanche."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def _words(seed: int, data: bytes) -> int:
    h = mix((seed + len(data)) & MASK)
    tail = len(data) % 8
    if tail:
        data = data + bytes(8 - tail)
    for start in range(0, len(data), 8):
        h = mix(h ^ int.from_bytes(data[start:start + 8], "little"))
    return h


def _int(value: int) -> int:
    if -(1 << 63) <= value < (1 << 63):
        return mix((value + K_INT) & MASK)
    negative = value < 0
    magnitude = -value if negative else value
    h = mix(K_BIG + negative)
    while magnitude:
        h = mix(h ^ (magnitude & MASK))
        magnitude >>= 64
    return h


def _float(value: float) -> int:
    if value.is_integer():  # False for inf and nan
        return _int(int(value))
    import struct
    return mix(struct.unpack("<Q", struct.pack("<d", value))[0] ^ K_FLOAT)


_memo: dict[Any, int] = {}


def _inner(value: Any) -> int:
    """`_unsigned` of a part of a value, memoised by value for str, tuple and frozenset parts
    (keyed by the value itself, so equal parts share an entry, as they share a fingerprint)."""
    if isinstance(value, (str, tuple, frozenset)):
        found = _memo.get(value)
        if found is None:
            if len(_memo) >= 1 << 16:
                _memo.clear()
            found = _memo[value] = _unsigned(value)
        return found
    return _unsigned(value)


def _set(value: frozenset | set) -> int:
    total = 0
    for item in value:
        total += mix(_inner(item) ^ K_ELEMENT)
    return mix((total & MASK) ^ mix((K_SET + len(value)) & MASK))


def _unsigned(value: Any) -> int:
    if isinstance(value, int):
        return _int(int(value))
    if isinstance(value, str):
        return _words(K_STR, value.encode("utf-8", "surrogatepass"))
    if isinstance(value, tuple):
        h = mix((K_TUPLE + len(value)) & MASK)
        for item in value:
            h = mix(h ^ _inner(item))
        return h
    if isinstance(value, frozenset):
        return _set(value)
    if value is None:
        return mix(K_NONE)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, bytes):
        return _words(K_BYTES, value)
    if isinstance(value, complex):
        if value.imag == 0:
            return _float(value.real)
        return mix(mix(K_COMPLEX ^ _float(value.real)) ^ _float(value.imag))
    return mix((hash(value) + K_OBJECT) & MASK)


def python_fingerprint(value: Any) -> int:
    """The fingerprint in pure Python (the reference for the C version)."""
    h = _set(value) if isinstance(value, set) else _unsigned(value)
    return h - (1 << 64) if h >= 1 << 63 else h


c_fingerprint: Callable[[Any], int] | None
try:
    from checker._fingerprint import fingerprint as c_fingerprint
except ImportError:  # the optional C extension was not built
    c_fingerprint = None

fingerprint: Callable[[Any], int] = c_fingerprint or python_fingerprint
IMPLEMENTATION = "c" if c_fingerprint is not None else "python"


def clear_cache() -> None:
    """Drop the references the C version's identity cache holds (see _fingerprint.c); results never change."""
    if c_fingerprint is not None:
        from checker._fingerprint import clear_cache as clear
        clear()
