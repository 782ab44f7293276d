package io.farmvet.secret;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one masker of secrets in what farmvet writes: error messages, reports, the audit log, log lines. Every path
 * that puts a server's answer, a URL, a header or an exception's message into text goes through it.
 *
 * <p>Three layers, so that a secret in an unexpected place still does not leak:
 *
 * <ol>
 *   <li>the user-info of every URL in the text ({@code https://***@host/}), since JGit and HTTP clients quote
 *       URLs, sometimes with the user name but without the password;
 *   <li>every occurrence of every known secret value (longest first, so that {@code user:pw} is masked whole
 *       before {@code pw} alone would leave {@code user:***});
 *   <li>the part of a known secret that a truncated quote shows: a value cut short and ended with {@code …} or
 *       {@code ...} (the listing parser quotes 16 characters of a bad value, Jackson 20) holds only the
 *       beginning of the secret, which the second layer cannot find. At least {@value #MIN_FRAGMENT_CHARS}
 *       characters of a secret's beginning right before such a mark, or of its end right after one, are masked.
 * </ol>
 *
 * Known secrets are given by the caller: {@link #authorizationSecrets} for an {@code Authorization} header (the
 * value, its credentials, and for Basic the decoded {@code user:password} and the password) and
 * {@link #urlSecrets} for a URL (user-info and values of secret-looking query parameters, raw and decoded).
 *
 * <p>Immutable; thread-safe.
 */
public final class SecretMasker {
    public static final String MASK = "***";

    /**
     * Shorter fragments tell nothing usable about a secret and are common in ordinary text (a token beginning
     * with "abc" must not mask every quoted "abc…"); a 32-character token shown as 3 characters keeps 29 unknown.
     */
    static final int MIN_FRAGMENT_CHARS = 4;

    /** How deep a cause chain is copied; JDK and library chains are a handful deep. */
    private static final int MAX_CAUSE_DEPTH = 16;

    /** Header values shown as they are: none of these can carry a credential. */
    private static final Set<String> PLAIN_HEADERS = Set.of("content-type", "accept", "user-agent", "content-length");

    private static final Pattern SECRET_NAME =
            Pattern.compile("(?i).*(auth|token|key|secret|passw|signature|sig|cookie|session|credential).*");
    private static final Pattern QUERY_PARAM = Pattern.compile("([?&])([^=&#\\s]*)=([^&#\\s]*)");
    private static final Pattern URL_USER_INFO = Pattern.compile("^([A-Za-z][A-Za-z0-9+.-]*://)([^/?#]*)@");
    private static final Pattern URL_USER_INFO_ANYWHERE =
            Pattern.compile("\\b([A-Za-z][A-Za-z0-9+.-]*://)[^/?#@\\s]*@");
    private static final Pattern SCP_USER = Pattern.compile("^([^/:@]+)@([^/:]+:)");
    private static final List<String> TRUNCATION_MARKS = List.of("…", "...");

    private static final SecretMasker NONE = new SecretMasker(List.of());

    /** Distinct, non-blank, longest first. */
    private final List<String> secrets;

    private SecretMasker(List<String> secrets) {
        this.secrets = secrets;
    }

    /** A masker for these secret values; null and blank ones are ignored. */
    public static SecretMasker of(Collection<String> secrets) {
        Set<String> kept = new LinkedHashSet<>();
        for (String secret : secrets) {
            if (secret != null && !secret.isBlank()) {
                kept.add(secret);
            }
        }
        if (kept.isEmpty()) {
            return NONE;
        }
        List<String> ordered = new ArrayList<>(kept);
        ordered.sort(Comparator.comparingInt(String::length).reversed());
        return new SecretMasker(List.copyOf(ordered));
    }

    /** A masker that knows no secret values: it still masks the user-info of URLs. */
    public static SecretMasker none() {
        return NONE;
    }

    /** The masker of a request to {@code url} with this {@code Authorization} header (null for none). */
    public static SecretMasker forRequest(String url, String authorization) {
        Set<String> all = urlSecrets(url);
        all.addAll(authorizationSecrets(authorization));
        return of(all);
    }

    /** This masker and {@code more} secrets. */
    public SecretMasker and(Collection<String> more) {
        List<String> all = new ArrayList<>(secrets);
        all.addAll(more);
        return of(all);
    }

    /** The secret values this masker knows, longest first. */
    public List<String> secrets() {
        return secrets;
    }

    /**
     * What an {@code Authorization} header value reveals, each form a server could echo: the value, the credentials
     * after the scheme, and for Basic the decoded {@code user:password} and the password alone.
     */
    public static Set<String> authorizationSecrets(String authorization) {
        Set<String> found = new LinkedHashSet<>();
        if (authorization == null || authorization.isBlank()) {
            return found;
        }
        found.add(authorization);
        int space = authorization.indexOf(' ');
        if (space > 0 && space < authorization.length() - 1) {
            String credentials = authorization.substring(space + 1).strip();
            found.add(credentials);
            if (authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
                try {
                    String decoded = new String(Base64.getDecoder().decode(credentials), StandardCharsets.UTF_8);
                    found.add(decoded);
                    found.add(decoded.substring(decoded.indexOf(':') + 1));
                } catch (IllegalArgumentException notBase64) {
                    // Then the credentials are masked as sent, which is all a server could echo.
                }
            }
        }
        found.removeIf(String::isBlank);
        return found;
    }

    /**
     * A URL's secrets as they may appear in a message: its user-info (also of {@code user@host:path} addresses)
     * and the password part alone, and the values of secret-looking query parameters, each raw and decoded.
     */
    public static Set<String> urlSecrets(String url) {
        Set<String> found = new LinkedHashSet<>();
        if (url == null) {
            return found;
        }
        Matcher scheme = URL_USER_INFO.matcher(url);
        String userInfo = scheme.find() ? scheme.group(2) : null;
        if (userInfo == null) {
            Matcher scp = SCP_USER.matcher(url);
            userInfo = scp.find() ? scp.group(1) : null;
        }
        if (userInfo != null) {
            found.add(userInfo);
            int colon = userInfo.indexOf(':');
            if (colon >= 0 && colon < userInfo.length() - 1) {
                found.add(userInfo.substring(colon + 1));
            }
        }
        int query = url.indexOf('?');
        if (query >= 0) {
            Matcher param = QUERY_PARAM.matcher(url.substring(query));
            while (param.find()) {
                if (secretName(param.group(2))) {
                    found.add(param.group(3));
                }
            }
        }
        for (String secret : List.copyOf(found)) {
            try {
                found.add(URLDecoder.decode(secret, StandardCharsets.UTF_8));
            } catch (IllegalArgumentException e) {
                // Not valid percent-encoding: the raw form is all that can appear.
            }
        }
        found.removeIf(String::isBlank);
        return found;
    }

    /** Whether a header or query parameter of this name may carry a secret. */
    public static boolean secretName(String name) {
        return SECRET_NAME.matcher(name).matches();
    }

    /** A header value as it may be shown: only a few harmless headers keep theirs. */
    public static String headerValue(String name, String value) {
        return PLAIN_HEADERS.contains(name.toLowerCase(Locale.ROOT)) ? value : MASK;
    }

    /** Any text with every secret masked (see the class doc); null stays null. */
    public String text(String text) {
        if (text == null || text.isEmpty()) {
            return text;
        }
        String masked = URL_USER_INFO_ANYWHERE.matcher(text).replaceAll("$1" + Matcher.quoteReplacement(MASK) + "@");
        for (String secret : secrets) {
            masked = masked.replace(secret, MASK);
        }
        return secrets.isEmpty() ? masked : maskTruncatedFragments(masked);
    }

    /**
     * A URL as it may be shown: {@code https://user:pw@host/x?token=t&page=2} becomes {@code
     * https://***@host/x?token=***&page=2}, {@code git@host:x} becomes {@code ***@host:x}; then {@link #text}.
     */
    public String url(String url) {
        if (url == null) {
            return null;
        }
        String masked = url;
        Matcher scheme = URL_USER_INFO.matcher(masked);
        if (scheme.find()) {
            masked = scheme.group(1) + MASK + "@" + masked.substring(scheme.end());
        } else {
            Matcher scp = SCP_USER.matcher(masked);
            if (scp.find()) {
                masked = MASK + "@" + masked.substring(scp.start(2));
            }
        }
        Matcher param = QUERY_PARAM.matcher(masked);
        StringBuilder out = new StringBuilder();
        while (param.find()) {
            String replacement =
                    secretName(param.group(2)) ? param.group(1) + param.group(2) + "=" + MASK : param.group();
            param.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        param.appendTail(out);
        return text(out.toString());
    }

    /**
     * {@code t} itself when no message in its cause chain shows a secret, so that callers can still tell causes
     * apart by type; otherwise a copy of the chain with masked messages ({@code IOException}s naming the original
     * class), stack traces kept.
     */
    public Throwable throwable(Throwable t) {
        return leaks(t, 0) ? maskedCopy(t, 0) : t;
    }

    private boolean leaks(Throwable t, int depth) {
        if (t == null || depth > MAX_CAUSE_DEPTH) {
            return false;
        }
        String message = t.getMessage();
        return message != null && !message.equals(text(message)) || leaks(t.getCause(), depth + 1);
    }

    private Throwable maskedCopy(Throwable t, int depth) {
        if (t == null || depth > MAX_CAUSE_DEPTH) {
            return null;
        }
        String message = t.getClass().getName() + (t.getMessage() == null ? "" : ": " + text(t.getMessage()));
        IOException copy = new IOException(message, maskedCopy(t.getCause(), depth + 1));
        copy.setStackTrace(t.getStackTrace());
        return copy;
    }

    private String maskTruncatedFragments(String text) {
        String masked = text;
        for (String mark : TRUNCATION_MARKS) {
            int from = 0;
            int at;
            while ((at = masked.indexOf(mark, from)) >= 0) {
                int before = longestSecretPrefixEndingAt(masked, at);
                if (before > 0) {
                    masked = masked.substring(0, at - before) + MASK + masked.substring(at);
                    at += MASK.length() - before;
                }
                int start = at + mark.length();
                int after = longestSecretSuffixStartingAt(masked, start);
                if (after > 0) {
                    masked = masked.substring(0, start) + MASK + masked.substring(start + after);
                }
                from = start + (after > 0 ? MASK.length() : 0);
            }
        }
        return masked;
    }

    /** The length of the longest beginning of a secret that {@code text} holds right before {@code end}. */
    private int longestSecretPrefixEndingAt(String text, int end) {
        int best = 0;
        for (String secret : secrets) {
            for (int n = Math.min(end, secret.length() - 1); n >= Math.max(MIN_FRAGMENT_CHARS, best + 1); n--) {
                if (text.regionMatches(end - n, secret, 0, n)) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }

    /** The length of the longest end of a secret that {@code text} holds from {@code start} on. */
    private int longestSecretSuffixStartingAt(String text, int start) {
        int best = 0;
        int available = text.length() - start;
        for (String secret : secrets) {
            for (int n = Math.min(available, secret.length() - 1); n >= Math.max(MIN_FRAGMENT_CHARS, best + 1); n--) {
                if (text.regionMatches(start, secret, secret.length() - n, n)) {
                    best = n;
                    break;
                }
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "SecretMasker(" + secrets.size() + " secrets)";
    }
}
