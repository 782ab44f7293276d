package io.farmvet.git;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Real git smart HTTP: runs {@code git http-backend} as a CGI program for one request over the bare repositories
 * under a root, as a web server in front of git does. Used by {@link GitHttpServer} and by other modules' fakes
 * (FakeBitbucket's {@code /scm}). Stateless; thread-safe.
 */
public final class GitHttpBackend {
    /** An answer: the CGI's status and headers, and its whole body. */
    public record Answer(int status, List<String> headers, byte[] body) {}

    private final Path root;

    public GitHttpBackend(Path root) {
        this.root = root;
    }

    /**
     * @param pathInfo the repository path and what follows under the root, e.g. {@code /PROJ/slug.git/info/refs}
     * @param query without the {@code ?}, or empty
     * @param headers the request's headers by lower-case name; {@code content-type}, {@code content-encoding} (a
     *     gzipped request body) and {@code git-protocol} ({@code version=2}) are passed on
     */
    public Answer run(String method, String pathInfo, String query, Map<String, String> headers, byte[] body)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder("git", "http-backend").redirectError(ProcessBuilder.Redirect.DISCARD);
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("GIT_"));
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_PROJECT_ROOT", root.toString());
        env.put("GIT_HTTP_EXPORT_ALL", "1");
        env.put("REQUEST_METHOD", method);
        env.put("PATH_INFO", pathInfo);
        env.put("QUERY_STRING", query == null ? "" : query);
        env.put("REMOTE_ADDR", "127.0.0.1");
        env.put("CONTENT_LENGTH", String.valueOf(body.length));
        putIfSet(env, "CONTENT_TYPE", headers.get("content-type"));
        putIfSet(env, "HTTP_CONTENT_ENCODING", headers.get("content-encoding"));
        putIfSet(env, "GIT_PROTOCOL", headers.get("git-protocol"));
        Process process = builder.start();
        try (OutputStream in = process.getOutputStream()) {
            in.write(body);
        }
        byte[] out;
        try (InputStream stdout = process.getInputStream()) {
            out = stdout.readAllBytes();
        }
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("git http-backend did not end");
        }
        return parse(out);
    }

    private static void putIfSet(Map<String, String> env, String name, String value) {
        if (value != null) {
            env.put(name, value);
        }
    }

    /** CGI output: header lines, an empty line, the body; {@code Status: 404 Not Found} sets the status. */
    private static Answer parse(byte[] out) {
        int status = 200;
        List<String> headers = new ArrayList<>();
        int at = 0;
        while (at < out.length) {
            int end = at;
            while (end < out.length && out[end] != '\n') {
                end++;
            }
            String line = new String(out, at, end - at, StandardCharsets.ISO_8859_1).strip();
            at = end + 1;
            if (line.isEmpty()) {
                break;
            }
            if (line.regionMatches(true, 0, "Status:", 0, 7)) {
                status = Integer.parseInt(line.substring(7).strip().split(" ")[0]);
            } else {
                headers.add(line);
            }
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(out, Math.min(at, out.length), Math.max(0, out.length - at));
        return new Answer(status, List.copyOf(headers), body.toByteArray());
    }

    /** The root the repositories are under. */
    public Path root() {
        return root;
    }
}
