package io.farmvet.daemon;

import static io.farmvet.daemon.DaemonHarness.NEVER;
import static io.farmvet.daemon.DaemonHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.agent.AgentServer;
import io.farmvet.agent.AgentSettings;
import io.farmvet.config.Secret;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Issue 11: one bearer-token policy on every HTTP surface farmvet serves. The same requests, written byte for byte
 * on a socket, go to the daemon's API and to the node agent, both real servers on loopback; each must get the same
 * verdict, and every refusal the same 401.
 */
class BearerGateTest {
    private static final String REALM = "Bearer realm=\"farmvet\"";
    private static final String INVALID = REALM + ", error=\"invalid_token\"";

    @TempDir
    static Path dir;

    private static DaemonHarness daemon;
    private static AgentServer agent;

    enum Surface {
        DAEMON_API("/api/v1/vets"),
        AGENT("/rest/mirroring/latest/repo-hashes");

        final String path;

        Surface(String path) {
            this.path = path;
        }

        URI base() {
            return this == DAEMON_API ? daemon.daemon.url() : agent.uri();
        }
    }

    @BeforeAll
    static void startBothServers() throws Exception {
        daemon = new DaemonHarness(Files.createDirectories(dir.resolve("daemon")))
                .config(URI.create("http://127.0.0.1:9"), NEVER, "", "mirror-1=http://127.0.0.1:10")
                .start();
        Path repositories = Files.createDirectories(dir.resolve("repositories"));
        agent = AgentServer.start(AgentSettings.of(repositories, null, new Secret(TOKEN, dir.resolve("agent.token")))
                .withListen("127.0.0.1", 0));
    }

    @AfterAll
    static void stopBothServers() {
        if (agent != null) {
            agent.close();
        }
        if (daemon != null) {
            daemon.close();
        }
    }

    static Stream<Arguments> admitted() {
        return each(
                List.of("Bearer " + TOKEN),
                List.of("bearer " + TOKEN),
                List.of("BEARER " + TOKEN),
                List.of("bEaReR " + TOKEN),
                List.of("Bearer   " + TOKEN + "  "));
    }

    static Stream<Arguments> refused() {
        return each(
                List.of("Bearer wrong-token-0123456789"),
                List.of("Bearer " + TOKEN + "x"),
                List.of("Bearer " + TOKEN.substring(0, TOKEN.length() - 1)),
                List.of("Bearer"),
                List.of("Bearer "),
                List.of("Bearer" + TOKEN),
                List.of("Basic dGVzdDp0ZXN0"),
                List.of("Token " + TOKEN),
                List.of(TOKEN),
                List.of("Bearer " + TOKEN + ", Bearer " + TOKEN),
                List.of("Bearer " + TOKEN, "Bearer " + TOKEN),
                List.of("Bearer wrong", "Bearer " + TOKEN),
                List.of("Bearer " + TOKEN, "Bearer wrong"));
    }

    private static Stream<Arguments> each(List<?>... headerSets) {
        List<Arguments> all = new ArrayList<>();
        for (Surface surface : Surface.values()) {
            for (List<?> headers : headerSets) {
                all.add(Arguments.of(surface, headers));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("admitted")
    void theTokenIsAdmittedWhateverTheSchemesCase(Surface surface, List<String> authorization) throws IOException {
        Answer answer = get(surface, authorization);

        assertThat(answer.status()).isEqualTo(200);
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("refused")
    void everyWrongTokenGetsTheSame401(Surface surface, List<String> authorization) throws IOException {
        Answer answer = get(surface, authorization);
        Answer reference = get(surface, List.of("Bearer wrong-token-0123456789"));

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.headers()).containsEntry("www-authenticate", INVALID);
        assertThat(answer.headers()).containsEntry("cache-control", "no-store");
        assertThat(answer.body()).isEqualTo(reference.body()).contains("Authorization: Bearer <token>");
        assertThat(answer.body()).doesNotContain(TOKEN);
    }

    @ParameterizedTest
    @MethodSource("surfaces")
    void noTokenGetsTheChallengeWithoutAnError(Surface surface) throws IOException {
        Answer answer = get(surface, List.of());

        assertThat(answer.status()).isEqualTo(401);
        assertThat(answer.headers()).containsEntry("www-authenticate", REALM);
        assertThat(answer.body())
                .isEqualTo(get(surface, List.of("Bearer wrong")).body());
    }

    @ParameterizedTest
    @MethodSource("surfaces")
    void aTokenInTheQueryStringIsNeverLookedAt(Surface surface) throws IOException {
        Answer answer = get(surface, "?access_token=" + TOKEN, List.of());

        assertThat(answer.status()).isEqualTo(401);
    }

    static Stream<Surface> surfaces() {
        return Stream.of(Surface.values());
    }

    private static Answer get(Surface surface, List<String> authorization) throws IOException {
        return get(surface, "", authorization);
    }

    /** Writes the request as is, one {@code Authorization} line per element, and reads the whole answer. */
    private static Answer get(Surface surface, String query, List<String> authorization) throws IOException {
        URI base = surface.base();
        StringBuilder head = new StringBuilder(
                "GET " + surface.path + query + " HTTP/1.1\r\nHost: " + base.getHost() + "\r\nConnection: close\r\n");
        authorization.forEach(
                value -> head.append("Authorization: ").append(value).append("\r\n"));
        head.append("\r\n");
        try (Socket socket = new Socket(base.getHost(), base.getPort())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = socket.getInputStream();
            return Answer.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** A plain HTTP/1.1 answer; header names in lower case; the body as sent (chunk sizes left in, if any). */
    record Answer(int status, Map<String, String> headers, String body) {
        static Answer parse(String raw) {
            int end = raw.indexOf("\r\n\r\n");
            String[] lines = raw.substring(0, end).split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                headers.put(
                        lines[i].substring(0, colon).strip().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).strip());
            }
            return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, raw.substring(end + 4));
        }
    }
}
