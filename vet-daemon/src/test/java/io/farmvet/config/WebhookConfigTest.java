package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code server.webhook-secret-file} and {@code vet.webhook-debounce} (issue 12, part 6). */
class WebhookConfigTest {
    private static final String BASE = "farm:\n  name: emea\nprimary:\n  url: https://bitbucket.example.com\n"
            + "nodes:\n  - name: mirror-1\n    url: https://mirror-1.example.com\n";

    @TempDir
    Path dir;

    private Path write(String yaml) throws Exception {
        Path file = dir.resolve("farmvet.yaml");
        Files.writeString(file, BASE + yaml);
        return file;
    }

    @Test
    void theSecretIsReadAndTheDebounceHasItsDefault() throws Exception {
        Files.writeString(dir.resolve("webhook.secret"), "0123456789abcdef0123\n");

        FarmvetConfig config = ConfigLoader.load(write("server:\n  webhook-secret-file: webhook.secret\n"));

        assertThat(config.server().webhookSecret().reveal()).isEqualTo("0123456789abcdef0123");
        assertThat(config.server().webhookSecret().toString()).doesNotContain("0123456789abcdef0123");
        assertThat(config.vet().webhookDebounce()).isEqualTo(FarmvetConfig.DEFAULT_WEBHOOK_DEBOUNCE);
    }

    @Test
    void withoutTheKeyWebhooksAreOff() throws Exception {
        FarmvetConfig config = ConfigLoader.load(write("vet:\n  webhook-debounce: 5s\n"));

        assertThat(config.server().webhookSecret()).isNull();
        assertThat(config.vet().webhookDebounce()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void syntaxOnlyDoesNotReadTheSecretFile() throws Exception {
        Path file = write("server:\n  webhook-secret-file: missing.secret\n");

        FarmvetConfig config = ConfigLoader.load(file, ConfigLoader.Check.SYNTAX_ONLY);

        assertThat(config.server().webhookSecret().reveal()).isEmpty();
        assertThatThrownBy(() -> ConfigLoader.load(file))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("server.webhook-secret-file");
    }
}
