package io.farmvet.git.remote;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.AuthorizedKeyEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;

/**
 * Host keys checked against one known_hosts file only, as OpenSSH's {@code StrictHostKeyChecking yes} with
 * {@code UserKnownHostsFile} that file: a key the file holds for the host is accepted, anything else refused,
 * never added, never asked about. {@code @revoked} lines refuse their key; {@code @cert-authority} lines are not
 * supported and skipped. Records why it refused, for the ls-remote's message (JGit's own names no file and no
 * fingerprint). One per ls-remote call.
 */
final class StrictKnownHosts implements ServerKeyDatabase {
    private static final String REVOKED = "revoked";

    private final Path file;
    private final List<KnownHostEntry> entries;
    private final String host;
    private final int port;
    private volatile String refusal;

    StrictKnownHosts(Path file, List<KnownHostEntry> entries, String host, int port) {
        this.file = file;
        this.entries = entries;
        this.host = host;
        this.port = port;
    }

    /** Why the last host key was refused, or null. */
    String refusal() {
        return refusal;
    }

    @Override
    public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
        List<PublicKey> keys = new ArrayList<>();
        for (KnownHostEntry entry : entries) {
            if (entry.getMarker() == null && entry.isHostMatch(host, port)) {
                PublicKey key = key(entry);
                if (key != null) {
                    keys.add(key);
                }
            }
        }
        return keys;
    }

    @Override
    public boolean accept(
            String connectAddress,
            InetSocketAddress remoteAddress,
            PublicKey serverKey,
            Configuration config,
            CredentialsProvider provider) {
        // Revocations first: a revoked key stays refused wherever the file also lists it as known.
        for (KnownHostEntry entry : entries) {
            if (REVOKED.equals(entry.getMarker()) && entry.isHostMatch(host, port)) {
                PublicKey key = key(entry);
                if (key != null && KeyUtils.compareKeys(key, serverKey)) {
                    refusal = "the host key of " + shownHost() + " (" + fingerprint(serverKey) + ") is marked"
                            + " @revoked in " + file + "; farmvet does not connect to it. Ask the server's"
                            + " administrator for its new host key";
                    return false;
                }
            }
        }
        List<String> known = new ArrayList<>();
        for (KnownHostEntry entry : entries) {
            if (entry.getMarker() != null || !entry.isHostMatch(host, port)) {
                continue;
            }
            PublicKey key = key(entry);
            if (key == null) {
                continue;
            }
            if (KeyUtils.compareKeys(key, serverKey)) {
                return true;
            }
            known.add(fingerprint(key));
        }
        refusal = known.isEmpty()
                ? "the host key of " + shownHost() + " (" + fingerprint(serverKey) + ") is not in " + file
                        + ", the only known_hosts file farmvet trusts for this server; farmvet never accepts a new"
                        + " host key by itself. Run " + keyscan() + ", check that the fingerprint matches what the"
                        + " server's administrator gives, and add the line to " + file
                : "the host key of " + shownHost() + " CHANGED: the server showed " + fingerprint(serverKey)
                        + ", but " + file + " holds " + String.join(", ", known) + " for it. Either someone is"
                        + " in the middle or the server got a new key: confirm the new fingerprint with the"
                        + " server's administrator, then replace the host's line in " + file + " with what "
                        + keyscan() + " prints";
        return false;
    }

    private String shownHost() {
        return port == 22 ? host : "[" + host + "]:" + port;
    }

    private String keyscan() {
        return "ssh-keyscan " + (port == 22 ? "" : "-p " + port + " ") + host;
    }

    private static String fingerprint(PublicKey key) {
        return KeyUtils.getKeyType(key) + " " + KeyUtils.getFingerPrint(key);
    }

    private static PublicKey key(KnownHostEntry entry) {
        AuthorizedKeyEntry keyEntry = entry.getKeyEntry();
        if (keyEntry == null) {
            return null;
        }
        try {
            return keyEntry.resolvePublicKey(null, PublicKeyEntryResolver.IGNORING);
        } catch (java.io.IOException | java.security.GeneralSecurityException e) {
            // A key type this client does not know: it cannot be the one the server shows.
            return null;
        }
    }
}
