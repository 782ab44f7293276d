package io.farmvet.config;

import io.farmvet.config.ConfigValues.BadValue;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.Collection;

/**
 * The files a config points at: secrets ({@code bearer-token-file}, {@code password-file}), read by
 * {@link SecretFile}, and the extra CA bundle ({@code http.ca-file}). Every check ends in a message that says
 * what to do. Secret values never reach a message or a log line. Stateless.
 */
final class ConfigFiles {

    /** The Debian system bundle of ~140 CAs is about 220 KB; a private CA file is a few KB. */
    static final int MAX_CA_FILE_BYTES = 1 << 20;

    private static final String PEM_CERTIFICATE = "-----BEGIN CERTIFICATE-----";

    private ConfigFiles() {}

    /** A path from the config, made absolute against the config file's folder. */
    static Path resolve(Path baseDir, String text) throws BadValue {
        if (text.isBlank()) {
            throw new BadValue("must be a file path, got an empty string");
        }
        try {
            return baseDir.resolve(text).normalize();
        } catch (InvalidPathException e) {
            throw new BadValue("is not a valid file path: " + e.getReason());
        }
    }

    /**
     * Reads a secret with {@link SecretFile}, its problem as a {@link BadValue} of {@code keyPath}.
     *
     * @param what "token", "password" or "header value": what the file holds
     */
    static Secret readSecret(Path file, String what, String keyPath) throws BadValue {
        SecretFile.Kind kind =
                switch (what) {
                    case "token" -> SecretFile.Kind.TOKEN;
                    case "password" -> SecretFile.Kind.PASSWORD;
                    default -> SecretFile.Kind.HEADER_VALUE;
                };
        try {
            return SecretFile.read(file, kind, keyPath);
        } catch (SecretFile.Refused e) {
            throw new BadValue(e.problem());
        }
    }

    /** Checks that the file holds at least one PEM certificate the JDK can parse. */
    static void checkCaFile(Path file) throws BadValue {
        byte[] bytes = readBounded(file, MAX_CA_FILE_BYTES, "with the PEM certificate(s) of your CA");
        if (!new String(bytes, StandardCharsets.ISO_8859_1).contains(PEM_CERTIFICATE)) {
            throw new BadValue(file + " holds no PEM certificate (no " + PEM_CERTIFICATE
                    + " line); point ca-file at the PEM certificate(s) of your CA");
        }
        Collection<? extends Certificate> certificates;
        try (InputStream in = new ByteArrayInputStream(bytes)) {
            certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
        } catch (CertificateException | IOException e) {
            throw new BadValue(file + " holds a PEM certificate that does not parse (" + e.getMessage()
                    + "); export the CA certificate again in PEM form");
        }
        if (certificates.isEmpty()) {
            throw new BadValue(file + " holds no certificate that parses; export the CA certificate again in PEM form");
        }
    }

    /** Reads at most {@code max} bytes of a regular, readable file, or says which of those it is not. */
    /** The bytes as UTF-8 text, refusing what is not UTF-8 instead of turning it into U+FFFD. */
    static String utf8(byte[] bytes) throws CharacterCodingException {
        return StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
    }

    static byte[] readBounded(Path file, int max, String content) throws BadValue {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new BadValue(file + " does not exist; create it " + content + " or fix the path");
        } catch (IOException e) {
            throw new BadValue(file + " cannot be read (" + e + "); check the path and its folders' permissions");
        }
        if (attributes.isDirectory()) {
            throw new BadValue(file + " is a folder; point at a file " + content);
        }
        if (!attributes.isRegularFile()) {
            throw new BadValue(file + " is not a regular file; point at a file " + content);
        }
        if (attributes.size() > max) {
            throw new BadValue(file + " is " + attributes.size() + " bytes, more than the " + max
                    + " allowed; point at a file " + content);
        }
        try (InputStream in = Files.newInputStream(file)) {
            // The size can change between the check above and this read; bound the read itself.
            byte[] bytes = in.readNBytes(max + 1);
            if (bytes.length > max) {
                throw new BadValue(file + " is more than the " + max + " bytes allowed; point at a file " + content);
            }
            return bytes;
        } catch (AccessDeniedException e) {
            throw new BadValue(file + " is not readable by this process; make it readable by the user farmvet runs as");
        } catch (IOException e) {
            throw new BadValue(file + " cannot be read (" + e + ")");
        }
    }
}
