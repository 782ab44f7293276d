package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code config/invalid/NAME.yml} fails to load with exactly the problems in {@code NAME.error}, one per
 * line, where {@code ${dir}} stands for the folder's absolute path (secret files are resolved against it).
 * To add a case, add both files.
 */
class InvalidConfigTest {
    private static final String SECRET_MARKER = "NEVER-IN-A-MESSAGE";

    static Path folder() throws URISyntaxException {
        return Path.of(InvalidConfigTest.class.getResource("/config/invalid").toURI());
    }

    static Stream<String> cases() throws IOException, URISyntaxException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(folder())) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yml"))
                    .sorted()
                    .forEach(n -> names.add(n.substring(0, n.length() - ".yml".length())));
        }
        return names.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void failsWithTheExpectedProblems(String name) throws Exception {
        Path dir = folder();
        Path config = dir.resolve(name + ".yml");
        Path errorFile = dir.resolve(name + ".error");
        assertThat(errorFile).as("every invalid config needs its .error file").exists();
        List<String> expected = Files.readAllLines(errorFile, StandardCharsets.UTF_8).stream()
                .map(line -> line.replace("${dir}", dir.toString()))
                .toList();

        ConfigException e = catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(config));

        assertThat(e).as(name + " must fail to load").isNotNull();
        assertThat(e.problems()).containsExactlyElementsOf(expected);
        StringBuilder message = new StringBuilder()
                .append(config)
                .append(": ")
                .append(expected.size())
                .append(expected.size() == 1 ? " problem:" : " problems:");
        expected.forEach(line -> message.append("\n  - ").append(line));
        assertThat(e.getMessage()).isEqualTo(message.toString());
        assertThat(e.source()).isEqualTo(config);
        // The secret files here hold the marker; no message may show a secret, even a rejected one.
        assertThat(e.getMessage()).doesNotContain(SECRET_MARKER).doesNotContain("hunter2");
    }

    @Test
    void everyErrorFileHasItsConfig() throws Exception {
        try (Stream<Path> files = Files.list(folder())) {
            List<Path> orphans = files.filter(p -> p.toString().endsWith(".error"))
                    .filter(p -> !Files.exists(Path.of(p.toString().replaceAll("\\.error$", ".yml"))))
                    .toList();
            assertThat(orphans).isEmpty();
        }
    }
}
