package io.farmvet.listing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HashValueTest {
    @Test
    void decodesEveryHexDigitInEitherCase() {
        HashValue lower = new HashValue().setHex("0123456789abcdef");
        HashValue upper = new HashValue().setHex("0123456789ABCDEF");
        byte[] packed = new byte[8];
        upper.copyTo(packed, 0);

        assertThat(lower.sameAs(packed, 0, 16)).isTrue();
        assertThat(upper.toHex()).isEqualTo("0123456789abcdef");
    }

    @Test
    void refusesEverythingElse() {
        // Every char, in each place the decoder treats apart: either half of a pair, and an odd last digit.
        HashValue value = new HashValue();
        for (int c = 0; c <= Character.MAX_VALUE; c++) {
            boolean hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
            char ch = (char) c;
            for (char[] text : new char[][] {{ch, 'a'}, {'a', ch}, {ch}, {'a', 'b', ch}}) {
                if (value.setHex(text, 0, text.length) != hex) {
                    throw new AssertionError("char " + c + " in " + new String(text) + ": accepted " + !hex);
                }
                assertThat(value.present()).isEqualTo(hex);
            }
        }
        assertThat(new HashValue().setHex(new char[0], 0, 0)).isFalse();
        assertThat(new HashValue().setHex(new char[129], 0, 129)).isFalse();
        assertThatThrownBy(() -> new HashValue().setHex("g")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void keepsOddLengthsAndTellsZeros() {
        HashValue odd = new HashValue().setHex("abc");
        assertThat(odd.hexLength()).isEqualTo(3);
        assertThat(odd.packedLength()).isEqualTo(2);
        assertThat(odd.toHex()).isEqualTo("abc");
        assertThat(odd.isZero()).isFalse();
        assertThat(new HashValue().setHex("0").isZero()).isTrue();
        assertThat(new HashValue().setHex("0".repeat(40)).isZero()).isTrue();
        assertThat(new HashValue().setHex("0".repeat(39) + "1").isZero()).isFalse();
        assertThat(new HashValue().isZero()).isFalse();
    }

    @Test
    void copiesAnotherValueWhole() {
        HashValue copy = new HashValue().setHex("ffff");
        copy.set(new HashValue().setHex("0a1"));
        assertThat(copy.toHex()).isEqualTo("0a1");
        assertThat(copy.isZero()).isFalse();
        copy.set(new HashValue().setHex("000"));
        assertThat(copy.isZero()).isTrue();
        copy.set(new HashValue());
        assertThat(copy.present()).isFalse();
    }

    @Test
    void replaysPackedValues() {
        HashValue original = new HashValue().setHex("0a1");
        byte[] packed = new byte[2];
        original.copyTo(packed, 0);
        HashValue copy = new HashValue();
        copy.setPacked(packed, 0, 3);

        assertThat(copy.toHex()).isEqualTo("0a1");
        copy.setPacked(new byte[2], 0, 3);
        assertThat(copy.isZero()).isTrue();
        copy.setPacked(packed, 0, -1);
        assertThat(copy.present()).isFalse();
    }
}
