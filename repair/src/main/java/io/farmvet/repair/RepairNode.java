package io.farmvet.repair;

import io.farmvet.secret.SecretMasker;
import java.net.URI;
import java.util.Objects;

/**
 * A node that repairs are sent to: its name in the config, its base URL and the value of the {@code Authorization}
 * header its own credentials make (null for none). The header is a secret: {@link #toString} never shows it.
 */
public record RepairNode(String name, URI url, String authorizationHeader) {
    public RepairNode {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(url, "url");
    }

    /** The base URL without a trailing slash, so that {@code {nodeUrl}/rest/...} never doubles it. */
    public String baseUrl() {
        String text = url.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public String toString() {
        return "RepairNode[name=" + name + ", url=" + url + ", authorization="
                + (authorizationHeader == null ? "none" : SecretMasker.MASK) + "]";
    }
}
