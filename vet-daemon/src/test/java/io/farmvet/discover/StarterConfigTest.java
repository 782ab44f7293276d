package io.farmvet.discover;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.farmvet.fetch.FarmNodesProbe;
import java.net.URI;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The starter config's text, and the node URL template's refusal of values that are not host names. */
class StarterConfigTest {
    @Test
    void theConfigReadsAsAnOperatorWouldWriteIt() {
        StarterConfig config = new StarterConfig(
                "EMEA farm",
                "B0AB-4C1D",
                URI.create("https://bitbucket.example.com"),
                new StarterConfig.Credentials.Basic("farmvet", Path.of("/etc/farmvet/bitbucket.password")),
                Path.of("/etc/farmvet/ca.pem"),
                List.of(
                        new StarterConfig.Node("bbm-1", URI.create("https://bbm-1.example.com:7990")),
                        new StarterConfig.Node("BBM-1", URI.create("https://bbm-1b.example.com:7990"))),
                List.of(new StarterConfig.Skipped("x y", "x y: its name (x y) is not a plain host name")),
                Instant.parse("2026-12-02T00:00:00Z"));

        assertThat(config.yaml()).isEqualTo("""
                        # Starter config written by farmvet discover from "https://bitbucket.example.com" at 2026-12-02T00:00:00Z.
                        # Check it with 'farmvet check-config FILE'; every key is in deploy/farmvet.example.yaml.
                        farm:
                          name: EMEA-farm
                          # The farm's mirror server on the primary: only its webhooks count for this farm.
                          mirror-server-id: "B0AB-4C1D"
                        primary:
                          url: "https://bitbucket.example.com"
                          auth:
                            basic:
                              username: "farmvet"
                              password-file: "/etc/farmvet/bitbucket.password"
                        nodes:
                          - name: bbm-1
                            member: "bbm-1"
                            url: "https://bbm-1.example.com:7990"
                            auth:
                              basic:
                                username: "farmvet"
                                password-file: "/etc/farmvet/bitbucket.password"
                          - name: BBM-1-2
                            member: "BBM-1"
                            url: "https://bbm-1b.example.com:7990"
                            auth:
                              basic:
                                username: "farmvet"
                                password-file: "/etc/farmvet/bitbucket.password"
                          # A member was left out: x y: its name (x y) is not a plain host name
                        http:
                          ca-file: "/etc/farmvet/ca.pem"
                        """);
        assertThat(config.nodeNames()).containsExactly("bbm-1", "BBM-1-2");
    }

    @Test
    void quotedEscapesEverythingYamlCouldReadOtherwise() {
        assertThat(StarterConfig.quoted("a\"b\\c\nd\te\u0007f\u0085g\u2028h\u2029i\ufeffj: #k"))
                .isEqualTo("\"a\\\"b\\\\c\\nd\\te\\u0007f\\u0085g\\u2028h\\u2029i\\ufeffj: #k\"");
    }

    @Test
    void namesAreReducedToFarmvetsCharset() {
        assertThat(StarterConfig.name("EMEA: farm #1", "farm")).isEqualTo("EMEA-farm-1");
        assertThat(StarterConfig.name("\u0000\u2028", "farm")).isEqualTo("farm");
        assertThat(StarterConfig.name("x".repeat(100), "farm")).hasSize(64);
        assertThat(StarterConfig.name(null, "node")).isEqualTo("node");
    }

    @Test
    void theTemplateTakesOnlyHostNamesFromTheFarmsAnswer() {
        NodeUrlTemplate byName = NodeUrlTemplate.parse("https://{name}.example.com:7990");
        NodeUrlTemplate byAddress = NodeUrlTemplate.parse("http://{host}:7990/bitbucket");

        assertThat(byName.expand(new FarmNodesProbe.Member("bbm-1", "10.0.0.1:5701", false)))
                .isEqualTo(URI.create("https://bbm-1.example.com:7990"));
        assertThat(byAddress.expand(new FarmNodesProbe.Member("bbm-1", "10.0.0.1:5701", false)))
                .isEqualTo(URI.create("http://10.0.0.1:7990/bitbucket"));
        for (String hostile : List.of("evil.example#", "evil.example/", "u@evil.example", "a b", "x?y")) {
            assertThatThrownBy(() -> byName.expand(new FarmNodesProbe.Member(hostile, null, false)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("is not a plain host name");
        }
        assertThatThrownBy(() -> byAddress.expand(new FarmNodesProbe.Member("bbm-1", null, false)))
                .hasMessageContaining("no cluster address");
        assertThatThrownBy(() -> NodeUrlTemplate.parse("ftp://{name}")).hasMessageContaining("must be an http(s) URL");
        assertThatThrownBy(() -> NodeUrlTemplate.parse("https://{name}.example.com/?q=1"))
                .hasMessageContaining("is not a usable base URL");
    }
}
