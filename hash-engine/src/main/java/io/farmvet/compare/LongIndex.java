package io.farmvet.compare;

import java.util.Arrays;

/**
 * An open-addressing map from {@code long} keys to non-negative {@code int} values, for the id lookups of a
 * vet: two primitive arrays, no boxing, no per-entry objects. Not thread-safe.
 */
final class LongIndex {
    private static final int ABSENT = -1;
    /** Grow at half full: linear probing stays short, and the table costs 24 bytes per key at worst. */
    private static final int MAX_LOAD_PERCENT = 50;

    private long[] keys;
    private int[] values;
    private int size;
    private int mask;

    LongIndex(int expectedSize) {
        int capacity = Integer.highestOneBit(Math.max(16, expectedSize * 2 - 1)) << 1;
        allocate(capacity);
    }

    int size() {
        return size;
    }

    /** The value for {@code key}, or -1. */
    int get(long key) {
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            int value = values[slot];
            if (value == ABSENT) {
                return ABSENT;
            }
            if (keys[slot] == key) {
                return value;
            }
        }
    }

    /** Maps {@code key} to {@code value} unless already mapped; returns the existing value or -1 if added. */
    int putIfAbsent(long key, int value) {
        if (value < 0) {
            throw new IllegalArgumentException("values must be non-negative: " + value);
        }
        for (int slot = slot(key); ; slot = (slot + 1) & mask) {
            int existing = values[slot];
            if (existing == ABSENT) {
                keys[slot] = key;
                values[slot] = value;
                if (++size * 100L > (long) values.length * MAX_LOAD_PERCENT) {
                    rehash();
                }
                return ABSENT;
            }
            if (keys[slot] == key) {
                return existing;
            }
        }
    }

    void forEachKey(java.util.function.LongConsumer action) {
        for (int i = 0; i < keys.length; i++) {
            if (values[i] != ABSENT) {
                action.accept(keys[i]);
            }
        }
    }

    /** Bytes held by the two arrays, for memory accounting. */
    long footprintBytes() {
        return (long) keys.length * (Long.BYTES + Integer.BYTES);
    }

    private int slot(long key) {
        // Repository ids are mostly dense and sequential: spread them with the murmur3 finaliser.
        long h = key;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h & mask;
    }

    private void allocate(int capacity) {
        keys = new long[capacity];
        values = new int[capacity];
        Arrays.fill(values, ABSENT);
        mask = capacity - 1;
    }

    private void rehash() {
        long[] oldKeys = keys;
        int[] oldValues = values;
        allocate(oldKeys.length * 2);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldValues[i] != ABSENT) {
                putIfAbsent(oldKeys[i], oldValues[i]);
            }
        }
    }
}
