package io.farmvet.grokmirror;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * Manifests in the shape grok-manifest writes: {@code json.dumps} of a dict keyed by path, each value the dict of
 * grokmirror/__init__.py get_repo_defs ({@code modified}, {@code fingerprint}, {@code head}, then {@code owner},
 * {@code description}, {@code forkgroup} where set) with the {@code reference} that manifest.py always adds.
 */
final class Manifests {
    private final Map<String, String> values = new LinkedHashMap<>();

    /** A repository with every field grokmirror writes. */
    Manifests repo(String path, String fingerprint) {
        return repo(path, fingerprint, "ref: refs/heads/master");
    }

    Manifests repo(String path, String fingerprint, String head) {
        String fp = fingerprint == null ? "null" : '"' + fingerprint + '"';
        values.put(
                path,
                "{\"modified\": 1700000000, \"fingerprint\": " + fp + ", \"head\": \"" + head
                        + "\", \"owner\": \"Jane Dev\", \"description\": \"A test repository\", \"forkgroup\": "
                        + "\"3f2a9c1e-0b4d-4e5f-8a6b-7c8d9e0f1a2b\", \"reference\": null}");
        return this;
    }

    /** A repository whose value is given as raw JSON. */
    Manifests raw(String path, String valueJson) {
        values.put(path, valueJson);
        return this;
    }

    String json() {
        StringBuilder sb = new StringBuilder("{");
        values.forEach((path, value) -> {
            if (sb.length() > 1) {
                sb.append(", ");
            }
            sb.append('"').append(path).append("\": ").append(value);
        });
        return sb.append('}').toString();
    }

    byte[] bytes() {
        return json().getBytes(StandardCharsets.UTF_8);
    }

    byte[] gzipped() {
        return gzip(bytes());
    }

    static byte[] gzip(byte[] plain) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(plain);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** A fingerprint made of one repeated hex digit. */
    static String fp(char digit) {
        return String.valueOf(digit).repeat(40);
    }
}
