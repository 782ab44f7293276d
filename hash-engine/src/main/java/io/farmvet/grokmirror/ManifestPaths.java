package io.farmvet.grokmirror;

/**
 * How a manifest's repository path becomes a farmvet {@code project/repo} name, and back.
 *
 * <pre>
 * /pub/scm/git/git.git          -> project "pub%2Fscm%2Fgit", repo "git"
 * /linux.git                    -> project ".",               repo "linux"
 * </pre>
 *
 * The repo is the last segment without its {@code .git}; the project is the path before it without the leading
 * {@code /}, with {@code %} written {@code %25} and {@code /} written {@code %2F} (project keys may not hold
 * {@code /}: {@link io.farmvet.git.StableIds}), or {@code "."} for a repository at the top (a segment is never
 * {@code "."}: such a path is refused). So the project key gives the directory back exactly, and
 * {@link #path(String, String)} inverts the mapping for every key that ends in {@code .git}, as every repository
 * grokmirror finds on kernel.org does. A key without {@code .git} maps to the same name as the one with it: a
 * manifest holding both is refused by the comparison as a repository listed twice, never judged.
 *
 * <p>A path is accepted when it is non-empty, has no empty, {@code "."} or {@code ".."} segment, no control
 * character and no lone surrogate, and its last segment is not just {@code .git}. A leading {@code /} is added when
 * missing: grokmirror 1.x wrote keys without it, and grokmirror 2 reads both.
 *
 * <p>Stateless and thread-safe.
 */
public final class ManifestPaths {
    /** The project of repositories at the top of the tree. */
    public static final String TOP_PROJECT = ".";

    private static final String GIT_SUFFIX = ".git";
    private static final int QUOTE_CHARS = 120;

    private ManifestPaths() {}

    /** Why {@code key} is not a repository path, or null when it is one. */
    static String problem(String key) {
        if (key.isEmpty()) {
            return "an empty key is not a repository path";
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < 0x20 || c == 0x7f) {
                return "key " + quote(key) + " holds a control character (index " + i + ")";
            }
            if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "key " + quote(key) + " is not well-formed UTF-16 (lone surrogate at index " + i + ")";
            }
        }
        String path = rooted(key);
        int start = 1;
        while (true) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? path.length() : slash;
            String segment = path.substring(start, end);
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "key " + quote(key) + " is not a repository path (an empty, \".\" or \"..\" segment)";
            }
            if (slash < 0) {
                return segment.equals(GIT_SUFFIX) ? "key " + quote(key) + " names no repository before \".git\"" : null;
            }
            start = slash + 1;
        }
    }

    /** {@code key} with a leading {@code /}. */
    static String rooted(String key) {
        return key.startsWith("/") ? key : "/" + key;
    }

    /** The project key of an accepted path. */
    public static String projectKey(String path) {
        int last = path.lastIndexOf('/');
        if (last <= 0) {
            return TOP_PROJECT;
        }
        StringBuilder key = new StringBuilder(last + 8);
        for (int i = 1; i < last; i++) {
            char c = path.charAt(i);
            switch (c) {
                case '%' -> key.append("%25");
                case '/' -> key.append("%2F");
                default -> key.append(c);
            }
        }
        return key.toString();
    }

    /** The repository name (slug) of an accepted path: its last segment without {@code .git}. */
    public static String slug(String path) {
        String last = path.substring(path.lastIndexOf('/') + 1);
        return last.endsWith(GIT_SUFFIX) ? last.substring(0, last.length() - GIT_SUFFIX.length()) : last;
    }

    /** The manifest path of {@code projectKey}/{@code slug}, as {@link #projectKey} and {@link #slug} made them. */
    public static String path(String projectKey, String slug) {
        if (projectKey.equals(TOP_PROJECT)) {
            return "/" + slug + GIT_SUFFIX;
        }
        StringBuilder path = new StringBuilder(projectKey.length() + slug.length() + 8).append('/');
        for (int i = 0; i < projectKey.length(); i++) {
            if (projectKey.startsWith("%2F", i)) {
                path.append('/');
                i += 2;
            } else if (projectKey.startsWith("%25", i)) {
                path.append('%');
                i += 2;
            } else {
                path.append(projectKey.charAt(i));
            }
        }
        return path.append('/').append(slug).append(GIT_SUFFIX).toString();
    }

    /** {@code text} quoted for a message: control characters as {@code \\uXXXX}, long text cut. */
    static String quote(String text) {
        StringBuilder out = new StringBuilder(Math.min(text.length(), QUOTE_CHARS) + 8).append('"');
        for (int i = 0; i < text.length() && i < QUOTE_CHARS; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (text.length() > QUOTE_CHARS) {
            out.append('…');
        }
        return out.append('"').toString();
    }
}
