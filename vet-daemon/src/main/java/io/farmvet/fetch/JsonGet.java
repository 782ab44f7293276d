package io.farmvet.fetch;

import io.farmvet.secret.SecretMasker;
import io.farmvet.util.Units;
import java.io.IOException;
import java.io.InputStream;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.HttpEntity;

/**
 * One small JSON GET to a server's REST API beside its listing (a page of the primary's {@code repos}), through
 * the same client, credentials and TLS settings as the listings. The body is read whole, up to a bound, since
 * such answers are pages, not streams. {@link #cancel} from any thread aborts it. Not reusable.
 */
public final class JsonGet {
    private final CloseableHttpClient client;
    private final HttpGet request;
    private final String url;
    private final String serverName;
    private final SecretMasker masker;

    JsonGet(CloseableHttpClient client, HttpGet request, String url, String serverName, SecretMasker masker) {
        this.client = client;
        this.request = request;
        this.url = masker.url(url);
        this.serverName = serverName;
        this.masker = masker;
    }

    /**
     * The body of a 200 answer, decoded from gzip where the server used it.
     *
     * @throws FetchException not answered, not 200, or longer than {@code maxBytes}; the message names the server
     *     and the URL with its secrets masked
     */
    public byte[] body(int maxBytes) throws FetchException {
        try (ClassicHttpResponse response = client.executeOpen(null, request, null)) {
            int status = response.getCode();
            if (status != 200) {
                throw new FetchException(serverName + ": GET " + url + " answered HTTP " + status, null);
            }
            HttpEntity entity = response.getEntity();
            if (entity == null) {
                throw new FetchException(serverName + ": GET " + url + " answered 200 with no body", null);
            }
            ContentCoding coding;
            try {
                coding = ContentCoding.of(response);
            } catch (ContentCoding.Refused e) {
                throw new FetchException(serverName + ": GET " + url + " " + masker.text(e.getMessage()), null);
            }
            try (InputStream in = coding.decode(entity.getContent())) {
                byte[] body = in.readNBytes(maxBytes + 1);
                if (body.length > maxBytes) {
                    throw new FetchException(
                            serverName + ": GET " + url + " answered more than " + Units.bytes(maxBytes), null);
                }
                return body;
            }
        } catch (FetchException e) {
            request.cancel();
            throw e;
        } catch (IOException | RuntimeException e) {
            request.cancel();
            throw new FetchException(
                    serverName + ": GET " + url + " failed: " + masker.text(String.valueOf(e.getMessage())),
                    masker.throwable(e));
        }
    }

    public void cancel() {
        request.cancel();
    }
}
