package io.farmvet.repair.send;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.compare.Kind;
import io.farmvet.repair.RepairNode;
import io.farmvet.repair.RepairTarget;
import java.net.URI;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HttpTemplateTest {
    private static final String TOKEN = "s3cr3t-token-value";
    /** A name with every character that breaks a URL, a query or a JSON string. */
    private static final String AWKWARD = "mirror 1 & \"eu/west\" 'a'\\b";

    private final RepairNode node =
            new RepairNode(AWKWARD, URI.create("https://mirror-1.example.com:7990/bitbucket/"), "Bearer " + TOKEN);
    private final RepairTarget target = new RepairTarget(node, 42, 7, EnumSet.of(Kind.CONTENT, Kind.METADATA));

    @Test
    void urlPlaceholdersArePercentEncodedAsComponents() {
        HttpTemplate template = new HttpTemplate(
                "POST",
                "https://automation.example.com/resync/{nodeName}?repo={repoId}&project={projectId}&kinds={kinds}&node={nodeUrl}",
                null,
                null);

        RepairRequest request =
                new HttpTemplateAdapter(template).request(target).orElseThrow();

        assertThat(request.uri().getRawPath()).isEqualTo("/resync/mirror%201%20%26%20%22eu%2Fwest%22%20%27a%27%5Cb");
        assertThat(request.uri().getRawQuery())
                .isEqualTo("repo=42&project=7&kinds=content%2Cmetadata"
                        + "&node=https%3A%2F%2Fmirror-1.example.com%3A7990%2Fbitbucket");
        // Decoding gives back exactly the name: nothing was lost or split.
        assertThat(request.uri().getPath()).isEqualTo("/resync/" + AWKWARD);
    }

    @Test
    void nodeUrlAtTheStartIsTheBaseOfTheUrlWithoutATrailingSlash() {
        HttpTemplate template = new HttpTemplate("POST", "{nodeUrl}/rest/sync/{repoId}", null, null);

        RepairRequest request =
                new HttpTemplateAdapter(template).request(target).orElseThrow();

        assertThat(request.uri()).isEqualTo(URI.create("https://mirror-1.example.com:7990/bitbucket/rest/sync/42"));
    }

    @Test
    void jsonBodyValuesAreEscapedInsideTheTemplatesQuotes() {
        HttpTemplate template = new HttpTemplate(
                "POST",
                "https://automation.example.com/resync",
                "{\"node\":\"{nodeName}\",\"repo\":{repoId},\"kinds\":\"{kinds}\"}",
                null);

        RepairRequest request =
                new HttpTemplateAdapter(template).request(target).orElseThrow();

        assertThat(request.body())
                .isEqualTo(
                        "{\"node\":\"mirror 1 & \\\"eu/west\\\" 'a'\\\\b\",\"repo\":42,\"kinds\":\"content,metadata\"}");
        assertThat(request.headers()).containsEntry("Content-Type", "application/json");
    }

    @Test
    void aJsonContentTypeMakesTheBodyJsonWhateverItStartsWith() {
        HttpTemplate template = new HttpTemplate(
                "PUT", "https://a.example.com/x", "  \"{nodeName}\"", Map.of("Content-Type", "application/vnd.x+json"));

        RepairRequest request =
                new HttpTemplateAdapter(template).request(target).orElseThrow();

        assertThat(request.body()).isEqualTo("  \"mirror 1 & \\\"eu/west\\\" 'a'\\\\b\"");
        assertThat(request.method()).isEqualTo("PUT");
    }

    @Test
    void formBodyValuesArePercentEncoded() {
        HttpTemplate template = new HttpTemplate(
                "POST",
                "https://a.example.com/x",
                "node={nodeName}&repo={repoId}",
                Map.of("Content-Type", "application/x-www-form-urlencoded"));

        RepairRequest request =
                new HttpTemplateAdapter(template).request(target).orElseThrow();

        assertThat(request.body()).isEqualTo("node=mirror%201%20%26%20%22eu%2Fwest%22%20%27a%27%5Cb&repo=42");
    }

    @Test
    void plainBodyValuesGoInAsTheyAre() {
        HttpTemplate template = new HttpTemplate("POST", "https://a.example.com/x", "resync {nodeName} {repoId}", null);

        RepairRequest request =
                new HttpTemplateAdapter(template).request(target).orElseThrow();

        assertThat(request.body()).isEqualTo("resync " + AWKWARD + " 42");
        assertThat(request.headers()).containsEntry("Content-Type", "text/plain; charset=UTF-8");
    }

    @Test
    void headerValuesCannotInjectHeaders() {
        RepairNode evil = new RepairNode("a\r\nX-Injected: yes", URI.create("https://n.example.com"), null);
        HttpTemplate template =
                new HttpTemplate("POST", "https://a.example.com/x", null, Map.of("X-Node", "{nodeName}"));

        RepairRequest request = new HttpTemplateAdapter(template)
                .request(new RepairTarget(evil, 1, 1, EnumSet.of(Kind.MISSING)))
                .orElseThrow();

        assertThat(request.headers()).containsEntry("X-Node", "a%0D%0AX-Injected: yes");
    }

    @Test
    void theNodesCredentialsAreSentUnlessTheTemplateSetsAnAuthorization() {
        HttpTemplate plain = new HttpTemplate("POST", "https://a.example.com/x", null, null);
        Map<String, String> own = new LinkedHashMap<>();
        own.put("Authorization", "Bearer automation-token-123");
        HttpTemplate withOwn = new HttpTemplate("POST", "https://a.example.com/x", null, own);

        assertThat(new HttpTemplateAdapter(plain).request(target).orElseThrow().headers())
                .containsEntry("Authorization", "Bearer " + TOKEN);
        assertThat(new HttpTemplateAdapter(withOwn)
                        .request(target)
                        .orElseThrow()
                        .headers())
                .containsEntry("Authorization", "Bearer automation-token-123")
                .doesNotContainValue("Bearer " + TOKEN);
    }

    @Test
    void descriptionsMaskEverySecret() {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("X-Api-Key", "key-0123456789");
        headers.put("Content-Type", "application/json");
        HttpTemplate template = new HttpTemplate(
                "POST",
                "https://user:pw-9876@a.example.com/x?token=query-secret-1&repo={repoId}",
                "{\"key\":\"key-0123456789\",\"repo\":{repoId}}",
                headers);

        RepairRequest request =
                new HttpTemplateAdapter(template).request(target).orElseThrow();

        String description = request.describe();
        assertThat(description)
                .doesNotContain(TOKEN, "key-0123456789", "pw-9876", "query-secret-1")
                .contains("repo=42", "Content-Type: application/json", "Authorization: ***", "X-Api-Key: ***");
        assertThat(request.toString()).isEqualTo(description);
        assertThat(request.summary()).isEqualTo("POST https://***@a.example.com/x?token=***&repo=42");
    }

    @Test
    void templatesAreValidatedWithTheirKeys() {
        assertThatThrownBy(() -> new HttpTemplate("POST", "https://a.example.com/{repoid}", null, null))
                .hasMessage("repair.http.url: unknown placeholder {repoid}; known are {nodeName}, {nodeUrl},"
                        + " {repoId}, {projectId}, {kinds}");
        assertThatThrownBy(() -> new HttpTemplate("POST", "https://a.example.com/", "{\"a\":{oops}}", null))
                .hasMessageStartingWith("repair.http.body: unknown placeholder {oops}");
        assertThatThrownBy(() -> new HttpTemplate("post", "https://a.example.com/", null, null))
                .hasMessageStartingWith("repair.http.method:");
        assertThatThrownBy(() -> new HttpTemplate("POST", "ftp://a.example.com/", null, null))
                .hasMessageStartingWith("repair.http.url: must give an absolute http(s) URL");
        assertThatThrownBy(() -> new HttpTemplate("POST", "{nodeName}/x", null, null))
                .hasMessageStartingWith("repair.http.url: must give an absolute http(s) URL");
        assertThatThrownBy(() -> new HttpTemplate("POST", "https://a.example.com/", null, Map.of("Bad Name", "x")))
                .hasMessage("repair.http.headers: 'Bad Name' is not a valid header name");
    }

    @Test
    void aNodeWithoutCredentialsSendsNoAuthorization() {
        RepairNode open = new RepairNode("open", URI.create("http://n.example.com"), null);
        HttpTemplate template = new HttpTemplate(null, "https://a.example.com/x", null, null);

        RepairRequest request = new HttpTemplateAdapter(template)
                .request(new RepairTarget(open, 1, 1, EnumSet.of(Kind.EXTRA)))
                .orElseThrow();

        assertThat(request.method()).isEqualTo("POST");
        assertThat(request.headers()).doesNotContainKey("Authorization");
    }
}
