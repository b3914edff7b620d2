"""A map of 64-bit keys to rows in two flat arrays: a million keys in 32 MB where a dict takes over 100 MB.

The DORA metrics identify deploys and commits by a 64-bit hash of their identity (a collision between
two of a million keys has a chance of about 1 in 10^7). Open addressing with linear probing; the table is
at most half full. Keys are odd (the caller sets the low bit), so 0 marks a free slot. The loop that reads
a history probes the arrays itself (a method call per record would cost more than the probe); `find_or_add`
is the same probe, for everyone else. Pure: no I/O.
"""

from __future__ import annotations

from array import array

FREE = 0


def _table_size(capacity: int) -> int:
    return 1 << max(4, (2 * max(capacity, 1)).bit_length())


class IntMap:
    """odd int key -> int value."""

    def __init__(self, capacity: int = 1024) -> None:
        size = _table_size(capacity)
        self.keys = array("q", [FREE]) * size
        self.values = array("q", [FREE]) * size
        self.mask = size - 1
        self.used = 0

    def __len__(self) -> int:
        return self.used

    @property
    def full(self) -> bool:
        return 2 * self.used > self.mask

    def find_or_add(self, key: int, value: int) -> int:
        """The value stored for `key`; if there is none, store `value` and return it."""
        keys, mask = self.keys, self.mask
        slot = key & mask
        while True:
            found = keys[slot]
            if found == key:
                return self.values[slot]
            if found == FREE:
                break
            slot = (slot + 1) & mask
        keys[slot] = key
        self.values[slot] = value
        self.used += 1
        if self.full:
            self.grow()
        return value

    def grow(self) -> None:
        old_keys, old_values = self.keys, self.values
        size = 2 * (self.mask + 1)
        keys = self.keys = array("q", [FREE]) * size
        values = self.values = array("q", [FREE]) * size
        mask = self.mask = size - 1
        for key, value in zip(old_keys, old_values, strict=True):
            if key != FREE:
                slot = key & mask
                while keys[slot] != FREE:
                    slot = (slot + 1) & mask
                keys[slot], values[slot] = key, value
