package io.farmvet.listing;

import java.util.Arrays;

/**
 * A hash as the listing carries it: a hex string of any length up to {@link #MAX_HEX_LENGTH}, held decoded as
 * packed nibbles so that comparison is case-insensitive and allocation-free. Mutable and reused: see
 * {@link ListingEntry}.
 *
 * <p>A hash made only of {@code 0} characters is the "not computed yet" placeholder (Bitbucket writes forty of
 * them when a primary is first upgraded to a farm-capable version); {@link #isZero()} tells it apart.
 */
public final class HashValue {
    /** Longest hash accepted: 128 hex characters is SHA-512; real listings carry 64 (SHA-256). */
    public static final int MAX_HEX_LENGTH = 128;

    private final byte[] packed = new byte[MAX_HEX_LENGTH / 2];
    private int hexLength;
    private boolean present;
    private boolean zero;

    /** False when the listing did not carry this hash (the other variant of the listing, or JSON null). */
    public boolean present() {
        return present;
    }

    /** True for the all-zero placeholder of any length. */
    public boolean isZero() {
        return present && zero;
    }

    /** Number of hex characters of the hash as written. */
    public int hexLength() {
        return hexLength;
    }

    /** Bytes needed by {@link #copyTo}: the hex length rounded up to whole bytes. */
    public int packedLength() {
        return (hexLength + 1) >>> 1;
    }

    /** Copies the packed nibbles (high nibble first, an odd last nibble in the high half) into {@code dest}. */
    public void copyTo(byte[] dest, int offset) {
        System.arraycopy(packed, 0, dest, offset, packedLength());
    }

    /** True when this present hash has the same hex length and value as the packed one at {@code offset}. */
    public boolean sameAs(byte[] other, int offset, int otherHexLength) {
        if (otherHexLength != hexLength) {
            return false;
        }
        int n = packedLength();
        return Arrays.equals(packed, 0, n, other, offset, offset + n);
    }

    public void clear() {
        present = false;
        zero = false;
        hexLength = 0;
    }

    /**
     * Decodes {@code len} hex characters of {@code chars} from {@code off} (Jackson hands out its buffer, so no
     * String is made). Returns false, leaving this value cleared, when the text is empty, too long or not hex.
     */
    public boolean setHex(char[] chars, int off, int len) {
        clear();
        if (len == 0 || len > MAX_HEX_LENGTH) {
            return false;
        }
        boolean allZero = true;
        for (int i = 0; i < len; i++) {
            int nibble = Character.digit(chars[off + i], 16);
            if (nibble < 0 || chars[off + i] > 'f') {
                return false;
            }
            allZero &= nibble == 0;
            int b = i >>> 1;
            if ((i & 1) == 0) {
                packed[b] = (byte) (nibble << 4);
            } else {
                packed[b] |= (byte) nibble;
            }
        }
        hexLength = len;
        zero = allZero;
        present = true;
        return true;
    }

    /** As {@link #setHex(char[], int, int)}; {@code null} clears. Throws on text that is not a hash. */
    public HashValue setHex(CharSequence hex) {
        if (hex == null) {
            clear();
            return this;
        }
        char[] chars = hex.toString().toCharArray();
        if (!setHex(chars, 0, chars.length)) {
            throw new IllegalArgumentException("not a hex hash of 1 to " + MAX_HEX_LENGTH + " characters: " + hex);
        }
        return this;
    }

    /** Lower-case hex as it would be written back. */
    public String toHex() {
        return present ? toHex(packed, 0, hexLength) : null;
    }

    /** Lower-case hex of {@code hexLength} packed nibbles stored at {@code offset}. */
    public static String toHex(byte[] packed, int offset, int hexLength) {
        char[] out = new char[hexLength];
        for (int i = 0; i < hexLength; i++) {
            int b = packed[offset + (i >>> 1)];
            int nibble = (i & 1) == 0 ? (b >>> 4) & 0xf : b & 0xf;
            out[i] = Character.forDigit(nibble, 16);
        }
        return new String(out);
    }

    @Override
    public String toString() {
        return present ? toHex() : "absent";
    }
}
