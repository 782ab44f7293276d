package io.farmvet.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Requests to a server under test (the daemon's API, the agent): through the JDK's client, or written by hand on a
 * plain socket for what no well-behaved client sends. Every request is bounded by the timeout it is made with.
 */
public final class TestHttp {
    private final HttpClient http;
    private final Duration timeout;

    /** @param timeout for connecting, and for each request's answer */
    public TestHttp(Duration timeout) {
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(timeout)
                .build();
        this.timeout = timeout;
    }

    /** A request to {@code url}, with {@code Authorization: Bearer token} unless the token is null. */
    public static HttpRequest.Builder request(URI url, String token) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(url);
        return token == null ? builder : builder.header("Authorization", "Bearer " + token);
    }

    public HttpResponse<byte[]> send(HttpRequest.Builder request) {
        return send(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    public <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
        return send(request.timeout(timeout).build(), body);
    }

    /** Sends {@code request} with the timeout it was built with, if any. */
    public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        try {
            return http.send(request, body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Writes {@code request} as it is to {@code server}'s host and port; returns the status line of the answer. */
    public String statusLine(URI server, String request) {
        try (Socket socket = new Socket(server.getHost(), server.getPort())) {
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1))
                    .readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
