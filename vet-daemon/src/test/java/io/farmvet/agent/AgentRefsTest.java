package io.farmvet.agent;

import static io.farmvet.git.GitCli.commit;
import static io.farmvet.git.GitCli.git;
import static io.farmvet.git.GitCli.initWithMain;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.farmvet.git.GitCli;
import io.farmvet.git.StableIds;
import io.farmvet.testing.TestHttp;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent's {@code GET /rest/farmvet/1/repos/{id}/refs} over real HTTP on a real repository (issue 12). */
class AgentRefsTest {
    private static final String TOKEN = "s3cret-agent-token";
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;

    private AgentServer agent;
    private Path repo;
    private final TestHttp client = new TestHttp(WAIT);

    @BeforeEach
    void start() throws IOException {
        Path repos = Files.createDirectories(tmp.resolve("repos"));
        repo = repos.resolve("PROJ/app.git");
        String main = initWithMain(repo, "first");
        git(repo, "update-ref", "refs/heads/feature", commit(repo, "feature", main));
        git(repo, "tag", "-a", "-m", "release", "v1", main);
        git(repo, "update-ref", "refs/changes/01", main);
        Path token = Files.writeString(tmp.resolve("token"), TOKEN + "\n");
        agent = AgentServer.start(AgentSettings.of(repos, null, AgentCommand.token(token.toString()))
                .withListen("127.0.0.1", 0));
        await().atMost(WAIT).pollInterval(Duration.ofMillis(20)).until(() -> new String(
                        client.send(HttpRequest.newBuilder(agent.uri().resolve("/status")))
                                .body())
                .contains("SYNCHRONIZED"));
    }

    @AfterEach
    void stop() {
        agent.close();
    }

    private HttpResponse<byte[]> get(String path, String token) {
        return client.send(TestHttp.request(agent.uri().resolve(path), token));
    }

    private static String refsPath(long id) {
        return "/rest/farmvet/1/repos/" + id + "/refs";
    }

    @Test
    void listsTheRefsTheContentHashIsMadeOfWithTheAnnotatedTagsOwnIdAndHead() throws IOException {
        long id = StableIds.repositoryId("PROJ", "app");

        HttpResponse<byte[]> response = get(refsPath(id), TOKEN);

        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.get("id").asLong()).isEqualTo(id);
        assertThat(body.get("projectKey").asText()).isEqualTo("PROJ");
        assertThat(body.get("slug").asText()).isEqualTo("app");
        assertThat(body.get("head").asText()).isEqualTo("refs/heads/main");
        List<String> lines = new ArrayList<>();
        for (JsonNode ref : body.get("refs")) {
            lines.add(ref.get("id").asText() + " " + ref.get("ref").asText());
        }
        // The agent's content rule, by the git CLI: for-each-ref of refs/heads and refs/tags, sorted by name.
        assertThat(String.join("\n", lines) + "\n").isEqualTo(GitCli.cliContentInput(repo));
    }

    @Test
    void needsTheBearerTokenAnswers404ForAnUnknownIdAnd405ForAnotherMethod() {
        long id = StableIds.repositoryId("PROJ", "app");

        assertThat(get(refsPath(id), null).statusCode()).isEqualTo(401);
        assertThat(get(refsPath(id), "wrong-token-123456").statusCode()).isEqualTo(401);
        assertThat(get(refsPath(StableIds.repositoryId("PROJ", "nothing")), TOKEN)
                        .statusCode())
                .isEqualTo(404);
        assertThat(get("/rest/farmvet/1/repos/abc/refs", TOKEN).statusCode()).isEqualTo(404);
        HttpResponse<byte[]> post = client.send(
                TestHttp.request(agent.uri().resolve(refsPath(id)), TOKEN).POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET");
    }
}
