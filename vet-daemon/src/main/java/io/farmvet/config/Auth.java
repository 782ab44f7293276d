package io.farmvet.config;

import io.farmvet.git.remote.SshIdentity;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** How farmvet authenticates to one server. Secrets come from files and never appear in toString. */
public sealed interface Auth {
    Auth NONE = new None();

    /** The value of the {@code Authorization} header, or null to send none. */
    String authorizationHeader();

    /** The key and known_hosts file for ssh:// URLs ({@code auth.ssh}), or null. */
    default SshIdentity sshIdentity() {
        return null;
    }

    record None() implements Auth {
        @Override
        public String authorizationHeader() {
            return null;
        }
    }

    /** {@code auth.bearer-token-file}: the token is the file's content without its trailing newline. */
    record Bearer(Secret token) implements Auth {
        @Override
        public String authorizationHeader() {
            return "Bearer " + token.reveal();
        }
    }

    /** {@code auth.basic: {username, password-file}}: HTTP Basic, for admin endpoints over TLS. */
    record Basic(String username, Secret password) implements Auth {
        @Override
        public String authorizationHeader() {
            String pair = username + ":" + password.reveal();
            return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * {@code auth.ssh: {key-file, known-hosts-file}}: for an ssh:// URL of a server of kind git; the user is the
     * URL's. No header: ssh logs in with the key.
     */
    record Ssh(SshIdentity identity) implements Auth {
        @Override
        public String authorizationHeader() {
            return null;
        }

        @Override
        public SshIdentity sshIdentity() {
            return identity;
        }
    }
}
