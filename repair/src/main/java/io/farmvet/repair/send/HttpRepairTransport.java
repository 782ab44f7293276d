package io.farmvet.repair.send;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import javax.net.ssl.SSLContext;
import org.apache.hc.client5.http.classic.methods.HttpUriRequestBase;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.client5.http.ssl.DefaultClientTlsStrategy;
import org.apache.hc.client5.http.utils.DateUtils;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.io.entity.StringEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * Sends repair requests with Apache HttpClient 5 (classic). Redirects are never followed (they would carry the
 * node's credentials to another host), nothing is retried here ({@link RequestSender} decides), and both the
 * connect and the response wait are bounded by {@code repair.timeout}. At most {@link #MAX_BODY_BYTES} of an
 * answer are read. Thread-safe; close it when the daemon stops.
 */
public final class HttpRepairTransport implements RepairTransport, AutoCloseable {
    static final String USER_AGENT = "farmvet/0.1";
    /** Reading more of an answer than its summary keeps would only cost time. */
    static final int MAX_BODY_BYTES = 4096;

    private final CloseableHttpClient client;
    private final Clock clock;

    /**
     * @param sslContext the trust for https nodes, or null for the JDK's default trust store
     * @param maxConnections connections kept across all nodes
     */
    public HttpRepairTransport(Duration timeout, SSLContext sslContext, int maxConnections, Clock clock) {
        this.clock = clock;
        Timeout limit = Timeout.of(timeout);
        var connections = PoolingHttpClientConnectionManagerBuilder.create()
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(limit)
                        .setSocketTimeout(limit)
                        .build())
                .setMaxConnTotal(Math.max(2, maxConnections))
                .setMaxConnPerRoute(Math.max(2, maxConnections));
        if (sslContext != null) {
            connections.setTlsSocketStrategy(new DefaultClientTlsStrategy(sslContext));
        }
        this.client = HttpClients.custom()
                .setConnectionManager(connections.build())
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setResponseTimeout(limit)
                        .setRedirectsEnabled(false)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableCookieManagement()
                .disableContentCompression()
                .setUserAgent(USER_AGENT)
                .build();
    }

    @Override
    public Answer exchange(RepairRequest request) throws IOException {
        HttpUriRequestBase http = new HttpUriRequestBase(request.method(), request.uri());
        String contentType = null;
        for (var header : request.headers().entrySet()) {
            if (header.getKey().equalsIgnoreCase(HttpHeaders.CONTENT_TYPE)) {
                contentType = header.getValue();
            } else {
                http.addHeader(header.getKey(), header.getValue());
            }
        }
        if (request.body() != null) {
            ContentType type = contentType == null
                    ? ContentType.TEXT_PLAIN.withCharset(StandardCharsets.UTF_8)
                    : ContentType.parse(contentType);
            if (type.getCharset() == null) {
                type = type.withCharset(StandardCharsets.UTF_8);
            }
            http.setEntity(new StringEntity(request.body(), type));
        } else if (contentType != null) {
            http.addHeader(HttpHeaders.CONTENT_TYPE, contentType);
        }
        return client.execute(http, response -> {
            String body = readBody(response.getEntity());
            Duration retryAfter = retryAfter(response.getFirstHeader(HttpHeaders.RETRY_AFTER));
            return new Answer(response.getCode(), body, retryAfter);
        });
    }

    private static String readBody(HttpEntity entity) throws IOException {
        if (entity == null) {
            return "";
        }
        try (InputStream in = entity.getContent()) {
            byte[] bytes = in.readNBytes(MAX_BODY_BYTES);
            String text = new String(bytes, StandardCharsets.UTF_8)
                    .replaceAll("\\s+", " ")
                    .strip();
            return text.length() > Answer.MAX_BODY_CHARS ? text.substring(0, Answer.MAX_BODY_CHARS) + "…" : text;
        }
    }

    /** {@code Retry-After} as delay-seconds or an HTTP date; null when absent or unreadable. */
    Duration retryAfter(Header header) {
        if (header == null || header.getValue() == null) {
            return null;
        }
        String value = header.getValue().trim();
        try {
            long seconds = Long.parseLong(value);
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException notSeconds) {
            Instant at = DateUtils.parseStandardDate(value);
            if (at == null) {
                return null;
            }
            Duration delay = Duration.between(clock.instant(), at);
            return delay.isNegative() ? Duration.ZERO : delay;
        }
    }

    @Override
    public void close() throws IOException {
        client.close();
    }
}
