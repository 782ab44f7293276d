package io.farmvet.daemon.hooks;

import io.farmvet.config.Secret;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Bitbucket's webhook signature: {@code X-Hub-Signature: sha256=<hex HMAC-SHA256 of the body>} with the
 * webhook's secret as the key. Compared in constant time ({@link MessageDigest#isEqual}), so that the answer's
 * timing does not reveal how much of a forged signature was right.
 */
final class HubSignature {
    static final String HEADER = "X-Hub-Signature";
    private static final String PREFIX = "sha256=";
    private static final String ALGORITHM = "HmacSHA256";

    private HubSignature() {}

    /** Whether {@code header} is the signature of {@code body} under {@code secret}; false when absent or malformed. */
    static boolean matches(Secret secret, byte[] body, String header) {
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            return false;
        }
        byte[] given;
        try {
            given = HexFormat.of().parseHex(header.substring(PREFIX.length()).trim());
        } catch (IllegalArgumentException e) {
            return false;
        }
        return MessageDigest.isEqual(sign(secret, body), given);
    }

    /** The HMAC-SHA256 of {@code body} under {@code secret}. */
    static byte[] sign(Secret secret, byte[] body) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(secret.reveal().getBytes(StandardCharsets.UTF_8), ALGORITHM));
            return mac.doFinal(body);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no " + ALGORITHM, e);
        }
    }
}
