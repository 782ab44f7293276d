package io.farmvet.git.remote;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.Iterator;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.util.security.SecurityUtils;

/**
 * How farmvet logs in to one server over ssh: one private key file and the one known_hosts file its host keys are
 * checked against. Nothing else is read: not {@code ~/.ssh} (its keys, config or known_hosts), not an agent.
 * Immutable.
 *
 * @param keyFile an unencrypted private key (OpenSSH or PEM form)
 * @param knownHostsFile the server's host keys, in OpenSSH's known_hosts form (as {@code ssh-keyscan} prints them)
 */
public record SshIdentity(Path keyFile, Path knownHostsFile) {
    /** A key file or known_hosts file farmvet cannot use; the message names the file and says what to do. */
    public static final class Unusable extends Exception {
        private static final long serialVersionUID = 1L;

        Unusable(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** A private key is a few KB; this is far above any and far below a mistake (a pack file named as key). */
    static final int MAX_FILE_BYTES = 1 << 20;

    /** Reads both files as an ls-remote would, so that check-config finds what the first vet would. */
    public void check() throws Unusable {
        checkKeyFile();
        checkKnownHostsFile();
    }

    public void checkKeyFile() throws Unusable {
        keyPair();
    }

    public void checkKnownHostsFile() throws Unusable {
        knownHosts();
    }

    /** The key pair of {@link #keyFile}. */
    KeyPair keyPair() throws Unusable {
        byte[] bytes = read(keyFile, "the private key farmvet logs in with");
        Iterator<KeyPair> keys;
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            // No passphrase: farmvet runs unattended and asks no one.
            Iterable<KeyPair> loaded = SecurityUtils.loadKeyPairIdentities(
                    null, NamedResource.ofName(keyFile.toString()), in, FilePasswordProvider.EMPTY);
            keys = loaded == null ? List.<KeyPair>of().iterator() : loaded.iterator();
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            throw new Unusable(
                    keyFile + " is not a private key farmvet can read (" + e.getMessage() + "); it must be an"
                            + " unencrypted OpenSSH or PEM private key, e.g. made with ssh-keygen -t ecdsa -N '' -f "
                            + keyFile,
                    e);
        }
        if (!keys.hasNext()) {
            throw new Unusable(
                    keyFile + " holds no private key; point key-file at an unencrypted private key (not the .pub"
                            + " file)",
                    null);
        }
        return keys.next();
    }

    /** The entries of {@link #knownHostsFile}; at least one. */
    List<KnownHostEntry> knownHosts() throws Unusable {
        byte[] bytes =
                read(knownHostsFile, "the server's host keys (ssh-keyscan HOST, checked with its administrator)");
        List<KnownHostEntry> entries;
        try (InputStream in = new java.io.ByteArrayInputStream(bytes)) {
            entries = KnownHostEntry.readKnownHostEntries(in, true);
        } catch (IOException | RuntimeException e) {
            throw new Unusable(
                    knownHostsFile + " is not a known_hosts file (" + e.getMessage() + "); fill it with the lines"
                            + " ssh-keyscan HOST prints, checked with the server's administrator",
                    e);
        }
        if (entries.isEmpty()) {
            throw new Unusable(
                    knownHostsFile + " holds no host key, so no server can be trusted; add the lines ssh-keyscan"
                            + " HOST prints, checked with the server's administrator",
                    null);
        }
        return entries;
    }

    private static byte[] read(Path file, String content) throws Unusable {
        try {
            if (Files.isDirectory(file)) {
                throw new Unusable(file + " is a folder; point at a file with " + content, null);
            }
            if (Files.size(file) > MAX_FILE_BYTES) {
                throw new Unusable(
                        file + " is more than " + MAX_FILE_BYTES + " bytes; point at a file with " + content, null);
            }
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new Unusable(file + " does not exist; create it with " + content + " or fix the path", e);
        } catch (AccessDeniedException e) {
            throw new Unusable(
                    file + " is not readable by this process; make it readable by the user farmvet runs as", e);
        } catch (IOException e) {
            throw new Unusable(file + " cannot be read (" + e + ")", e);
        }
    }
}
