package io.farmvet.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The TLS trust farmvet uses: the JDK's own trust store, plus the certificates of {@code http.ca-file} when set
 * (an internal CA is the usual case for Bitbucket behind a company proxy). Verification is never turned off.
 */
public final class TlsTrust {
    private TlsTrust() {}

    public static SSLContext context(Path caFile) throws GeneralSecurityException, IOException {
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trustManagers(caFile), null);
        return context;
    }

    /** The same trust as {@link #context}, for clients that take trust managers (JGit's ls-remote). */
    public static TrustManager[] trustManagers(Path caFile) throws GeneralSecurityException, IOException {
        List<X509TrustManager> managers = new ArrayList<>();
        managers.add(trustManager(null));
        if (caFile != null) {
            KeyStore extra = KeyStore.getInstance(KeyStore.getDefaultType());
            extra.load(null, null);
            int i = 0;
            for (Certificate certificate : readCertificates(caFile)) {
                extra.setCertificateEntry("http.ca-file-" + i++, certificate);
            }
            managers.add(trustManager(extra));
        }
        return new TrustManager[] {new AnyOf(managers)};
    }

    private static Collection<? extends Certificate> readCertificates(Path caFile)
            throws IOException, CertificateException {
        try (InputStream in = Files.newInputStream(caFile)) {
            return java.security.cert.CertificateFactory.getInstance("X.509").generateCertificates(in);
        }
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X509TrustManager in " + factory.getAlgorithm());
    }

    /** Trusts a server chain when any of its managers does; the first one's error is the one reported. */
    private record AnyOf(List<X509TrustManager> managers) implements X509TrustManager {
        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            CertificateException first = null;
            for (X509TrustManager manager : managers) {
                try {
                    manager.checkServerTrusted(chain, authType);
                    return;
                } catch (CertificateException e) {
                    first = first == null ? e : first;
                }
            }
            throw first;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("farmvet is only ever a TLS client");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return managers.stream()
                    .flatMap(m -> java.util.Arrays.stream(m.getAcceptedIssuers()))
                    .toArray(X509Certificate[]::new);
        }
    }
}
