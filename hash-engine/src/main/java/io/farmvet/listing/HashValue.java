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

    private static final char[] HEX_DIGITS = "0123456789abcdef".toCharArray();

    /** Nibble value of each ASCII character; {@link #NOT_HEX}, a bit above any nibble, for the others. */
    private static final int[] NIBBLES = new int[128];

    private static final int NOT_HEX = 0x100;

    static {
        Arrays.fill(NIBBLES, NOT_HEX);
        for (int i = 0; i < 16; i++) {
            NIBBLES[HEX_DIGITS[i]] = i;
            NIBBLES[Character.toUpperCase(HEX_DIGITS[i])] = i;
        }
    }

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

    /** Makes this a copy of {@code other}, so that an entry can be held past the reader's next one. */
    public void set(HashValue other) {
        System.arraycopy(other.packed, 0, packed, 0, other.packedLength());
        hexLength = other.hexLength;
        present = other.present;
        zero = other.zero;
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
        // A table load per character instead of Character.digit, which also accepts non-ASCII digits
        // (Arabic-Indic, full-width) that no hash contains. Two characters per step, each byte written once, and
        // no branch per step: a character that is not a hex digit sets a bit above the nibbles in the table, one
        // above 0x7f sets its own high bits, and both are tested once at the end. This loop runs for every hash of
        // every listing (issue 7: 12% of a 1M-repository vet byte at a time, 18% with a test per step).
        byte[] out = packed;
        int seen = 0;
        int end = off + (len & ~1);
        int b = 0;
        for (int i = off; i < end; i += 2) {
            int hi = chars[i];
            int lo = chars[i + 1];
            int high = NIBBLES[hi & 0x7f];
            int low = NIBBLES[lo & 0x7f];
            seen |= high | low | ((hi | lo) & ~0x7f);
            out[b++] = (byte) ((high << 4) | low);
        }
        if ((len & 1) != 0) {
            int c = chars[end];
            int nibble = NIBBLES[c & 0x7f];
            seen |= nibble | (c & ~0x7f);
            out[b] = (byte) (nibble << 4);
        }
        if ((seen & ~0xf) != 0) {
            return false;
        }
        hexLength = len;
        zero = seen == 0;
        present = true;
        return true;
    }

    /**
     * Sets this value from {@code hexLength} packed nibbles at {@code offset}, as {@link #copyTo} wrote them; a
     * negative length means absent. Used to replay entries that the reader had to buffer.
     */
    void setPacked(byte[] src, int offset, int hexLength) {
        clear();
        if (hexLength < 0) {
            return;
        }
        int n = (hexLength + 1) >>> 1;
        System.arraycopy(src, offset, packed, 0, n);
        int any = 0;
        for (int i = 0; i < n; i++) {
            any |= packed[i];
        }
        this.hexLength = hexLength;
        zero = any == 0;
        present = true;
    }

    /**
     * Writes the lower-case hex of this present value into {@code dest} (at least {@link #hexLength()} long) and
     * returns the number of characters, so that a writer needs no String per hash.
     */
    int writeHex(char[] dest) {
        for (int i = 0; i < hexLength; i++) {
            int b = packed[i >>> 1];
            dest[i] = HEX_DIGITS[(i & 1) == 0 ? (b >>> 4) & 0xf : b & 0xf];
        }
        return hexLength;
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
            out[i] = HEX_DIGITS[nibble];
        }
        return new String(out);
    }

    @Override
    public String toString() {
        return present ? toHex() : "absent";
    }
}
