package io.farmvet.git;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** SHA-256 over UTF-8 text, the one digest every farmvet hash and id is built from. */
final class Sha256 {
    private Sha256() {}

    static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java SE implementation must provide SHA-256 (MessageDigest javadoc), so this is a broken JRE.
            throw new IllegalStateException("SHA-256 is missing from this JRE", e);
        }
    }

    static byte[] digest(String text) {
        return newDigest().digest(text.getBytes(StandardCharsets.UTF_8));
    }

    /** Lower-case hex, as {@code sha256sum} prints it. */
    static String hex(String text) {
        return HexFormat.of().formatHex(digest(text));
    }
}
