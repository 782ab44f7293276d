package io.farmvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SuggestionsTest {
    private static final List<String> COMMANDS =
            List.of("demo", "vet", "diff", "run", "check-config", "agent", "bench", "completion", "version", "help");
    private static final List<String> OPTIONS = List.of("--config", "--json", "--dry-run", "-h", "--help");

    @ParameterizedTest
    @CsvSource({
        "vett, vet",
        "vte, vet",
        "dif, diff",
        "chek-config, check-config",
        "check-confg, check-config",
        "agnet, agent",
        "benhc, bench",
        "completon, completion",
        "verison, version"
    })
    void aNearCommandIsSuggested(String typed, String suggested) {
        assertThat(Suggestions.nearest(typed, COMMANDS)).contains(suggested);
    }

    @ParameterizedTest
    @CsvSource({"--jsn, --json", "-json, --json", "--cnofig, --config", "--dryrun, --dry-run", "--hepl, --help"})
    void aNearOptionIsSuggested(String typed, String suggested) {
        assertThat(Suggestions.nearest(typed, OPTIONS)).contains(suggested);
    }

    @ParameterizedTest
    @CsvSource({"xyzzy", "serve", "r", "configuration", "--verbose"})
    void nothingFarIsGuessed(String typed) {
        assertThat(Suggestions.nearest(typed, COMMANDS)).isEmpty();
        assertThat(Suggestions.nearest(typed, OPTIONS)).isEmpty();
    }
}
