package io.farmvet.config;

import io.farmvet.config.ConfigValues.BadValue;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one reader of secret files: the config's {@code bearer-token-file}, {@code password-file}, {@code
 * token-file}s and header {@code value-file}s, and the agent's {@code --token-file}. One policy:
 *
 * <ul>
 *   <li>a regular file of at most {@value #MAX_BYTES} bytes, in UTF-8;
 *   <li>a UTF-8 byte-order mark (Windows editors write one) and whitespace around the secret (the newline editors
 *       add, a stray space) are not part of it;
 *   <li>refused, naming the key and saying what to do: a file with nothing left after that, a line break or other
 *       whitespace inside a token (a password or header value may hold spaces, as {@code Basic xyz} does), control
 *       or invisible characters anywhere. A secret changed silently would fail later as a 401 that sends the
 *       operator looking at the server instead of the file;
 *   <li>a warning when others than the owner may read the file.
 * </ul>
 *
 * Secret values never reach a message or a log line. Stateless.
 */
public final class SecretFile {
    private static final Logger log = LoggerFactory.getLogger(SecretFile.class);

    /** A token or password is a line of text; 64 KiB is far beyond any real one and keeps a mistake cheap. */
    public static final int MAX_BYTES = 64 << 10;

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    /** What a file holds: it names the secret in messages and says whether spaces may be part of it. */
    public enum Kind {
        /** A bearer token: RFC 6750's token68 has no whitespace. */
        TOKEN("token", false),
        PASSWORD("password", true),
        HEADER_VALUE("header value", true);

        private final String label;
        private final boolean innerSpaces;

        Kind(String label, boolean innerSpaces) {
            this.label = label;
            this.innerSpaces = innerSpaces;
        }

        @Override
        public String toString() {
            return label;
        }
    }

    /** A secret file that cannot be used; the message is {@code KEY: FILE PROBLEM; WHAT TO DO}. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        private final String key;
        private final String problem;

        Refused(String key, String problem) {
            super(key + ": " + problem, null, false, false);
            this.key = key;
            this.problem = problem;
        }

        /** The config key path or command-line option that names the file. */
        public String key() {
            return key;
        }

        /** What is wrong and what to do, without the key. */
        public String problem() {
            return problem;
        }
    }

    private SecretFile() {}

    /**
     * Reads the secret in {@code file}.
     *
     * @param key where the file is named, for the messages: a config key path ({@code primary.auth.bearer-token-
     *     file}) or an option ({@code --token-file})
     */
    public static Secret read(Path file, Kind kind, String key) throws Refused {
        byte[] bytes;
        try {
            bytes = ConfigFiles.readBounded(file, MAX_BYTES, "with the " + kind + " (one line)");
        } catch (BadValue e) {
            throw new Refused(key, e.getMessage());
        }
        String text;
        try {
            text = ConfigFiles.utf8(bytes);
        } catch (CharacterCodingException e) {
            throw new Refused(key, file + " is not UTF-8 text; write only the " + kind + " into it, on one line");
        }
        String value = strip(text.startsWith(String.valueOf(BYTE_ORDER_MARK)) ? text.substring(1) : text);
        if (value.isEmpty()) {
            boolean empty = text.isEmpty() || text.equals("\n") || text.equals("\r\n");
            throw new Refused(
                    key,
                    file + (empty ? " is empty" : " holds only whitespace or a byte-order mark") + "; write the " + kind
                            + " into it (one line)");
        }
        refuseInner(value, file, kind, key);
        warnIfShared(file, key);
        return new Secret(value, file);
    }

    private static void refuseInner(String value, Path file, Kind kind, String key) throws Refused {
        String fix = "; write only the " + kind + " into it, on one line";
        if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
            throw new Refused(key, file + " holds more than one line" + fix);
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (whitespace(c) && !(kind.innerSpaces && c == ' ')) {
                throw new Refused(
                        key,
                        file + " holds " + (c == ' ' ? "a space" : "whitespace") + " inside the " + kind
                                + (kind.innerSpaces ? " (only plain spaces may be part of it)" : "") + fix);
            }
            if (Character.isISOControl(c)) {
                throw new Refused(key, file + " holds control characters" + fix);
            }
            if (Character.getType(c) == Character.FORMAT) {
                throw new Refused(
                        key,
                        file + " holds invisible characters (such as a zero-width space or a byte-order mark)" + fix);
            }
        }
    }

    /** {@link String#strip} that also takes no-break spaces, which an editor or a copy from a web page may add. */
    private static String strip(String text) {
        int start = 0;
        int end = text.length();
        while (start < end && whitespace(text.charAt(start))) {
            start++;
        }
        while (end > start && whitespace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(start, end);
    }

    private static boolean whitespace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c);
    }

    /** A secret that other users can read is a secret shared; say so, but it is the operator's call. */
    private static void warnIfShared(Path file, String key) {
        PosixFileAttributeView view = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (view == null) {
            return;
        }
        try {
            Set<PosixFilePermission> permissions = view.readAttributes().permissions();
            if (permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ)) {
                log.warn("{}: secret file {} is readable by group or others; run chmod 600 {}", key, file, file);
            }
        } catch (IOException e) {
            log.debug("{}: cannot read the permissions of {}", key, file, e);
        }
    }
}
