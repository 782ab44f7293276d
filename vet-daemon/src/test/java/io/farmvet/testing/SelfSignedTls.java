package io.farmvet.testing;

import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * A self-signed certificate for 127.0.0.1 made with the JDK's {@code keytool}, so TLS tests need nothing but the
 * JDK: {@link #serverContext()} for a {@link FakeServer}, {@link #caFile()} as farmvet's {@code http.ca-file}.
 */
public final class SelfSignedTls {
    private static final char[] PASSWORD = "changeit".toCharArray();

    private final Path keyStore;
    private final Path caFile;

    private SelfSignedTls(Path keyStore, Path caFile) {
        this.keyStore = keyStore;
        this.caFile = caFile;
    }

    public static SelfSignedTls create(Path dir) throws Exception {
        Path keyStore = dir.resolve("server.p12");
        Path caFile = dir.resolve("ca.pem");
        keytool(
                "-genkeypair",
                "-alias",
                "server",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "2",
                "-dname",
                "CN=127.0.0.1",
                "-ext",
                "san=ip:127.0.0.1,dns:localhost",
                "-storetype",
                "PKCS12",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                new String(PASSWORD));
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "server",
                "-keystore",
                keyStore.toString(),
                "-storepass",
                new String(PASSWORD),
                "-file",
                caFile.toString());
        return new SelfSignedTls(keyStore, caFile);
    }

    public Path caFile() {
        return caFile;
    }

    public SSLContext serverContext() throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keyStore)) {
            store.load(in, PASSWORD);
        }
        KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(keys.getKeyManagers(), null, null);
        return context;
    }

    private static void keytool(String... args) throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IllegalStateException("keytool " + String.join(" ", args) + " failed: " + output);
        }
    }
}
