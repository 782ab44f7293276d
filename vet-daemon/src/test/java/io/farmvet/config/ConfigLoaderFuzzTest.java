package io.farmvet.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6: whatever text a config file holds, {@link ConfigLoader#parse} returns a config or throws a
 * {@link ConfigException} whose problems name what is wrong; no other exception escapes, and no message shows the
 * content of a secret file the text points at.
 *
 * <p>In {@code ./mvnw verify} the Jazzer test runs over its seed corpus only ({@code ConfigLoaderFuzzTestInputs/})
 * and {@link #seededMutationsEndInAConfigOrAConfigException} runs a fixed number of seeded random mutations of the
 * seeds, the invalid-config folder and {@code deploy/farmvet.example.yaml}. A longer, coverage-guided run is
 * local: {@code JAZZER_FUZZ=1 ./mvnw -pl vet-daemon test
 * -Dtest=ConfigLoaderFuzzTest#anyTextEndsInAConfigOrAConfigException}.
 */
class ConfigLoaderFuzzTest {
    /** Mutated configs per CI run: a few seconds on two cores. */
    private static final int MUTATIONS = 3_000;

    /**
     * A folder holding copies of the invalid-config folder's secret files ({@code valid.token}, ...), owner-only
     * as an operator would keep them, so that configs naming them resolve and the log stays quiet.
     */
    private static final Path DIR = secretsFolder();

    private static Path source() {
        return DIR.resolve("fuzz.yml");
    }

    private static Path invalidFolder() {
        try {
            return Path.of(
                    ConfigLoaderFuzzTest.class.getResource("/config/invalid").toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Path secretsFolder() {
        try {
            Path dir = Files.createDirectories(Path.of("target", "config-fuzz").toAbsolutePath());
            try (Stream<Path> files = Files.list(invalidFolder())) {
                for (Path file : files.filter(f ->
                                !f.toString().endsWith(".yml") && !f.toString().endsWith(".error"))
                        .filter(Files::isRegularFile)
                        .toList()) {
                    Path copy = dir.resolve(file.getFileName());
                    Files.copy(file, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    Files.setPosixFilePermissions(
                            copy, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
                }
            }
            return dir;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @FuzzTest(maxDuration = "5m")
    void anyTextEndsInAConfigOrAConfigException(byte[] input) {
        check(new String(input, StandardCharsets.UTF_8));
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS) // a guard against a hang, far above the few seconds it takes
    void seededMutationsEndInAConfigOrAConfigException() throws Exception {
        List<String> seeds = seeds();
        assertThat(seeds).hasSizeGreaterThan(50);
        SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < MUTATIONS; i++) {
            String yaml = mutate(seeds, random);
            try {
                check(yaml);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("mutation " + i + " failed:\n" + yaml, e);
            }
        }
    }

    static void check(String yaml) {
        Path source = source();
        try {
            FarmvetConfig config = ConfigLoader.parse(yaml, source);
            assertThat(config.source()).isEqualTo(source);
            assertThat(config.primary()).isNotNull();
            assertThat(config.nodes()).isNotEmpty();
        } catch (ConfigException e) {
            assertThat(e.problems()).isNotEmpty().allSatisfy(p -> assertThat(p).isNotBlank());
            assertThat(e.getMessage())
                    .startsWith(source.toString())
                    .doesNotContain("NEVER-IN-A-MESSAGE")
                    .doesNotContain("hunter2");
        }
    }

    static List<String> seeds() throws IOException, URISyntaxException {
        List<String> seeds = new ArrayList<>();
        Path jazzer = Path.of(ConfigLoaderFuzzTest.class
                .getResource("ConfigLoaderFuzzTestInputs/anyTextEndsInAConfigOrAConfigException")
                .toURI());
        Path invalid = invalidFolder();
        for (Path dir : List.of(jazzer, invalid)) {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".yml"))
                        .sorted()
                        .toList()) {
                    seeds.add(Files.readString(file, StandardCharsets.UTF_8));
                }
            }
        }
        seeds.add(Files.readString(Path.of("..", "deploy", "farmvet.example.yaml"), StandardCharsets.UTF_8));
        return seeds;
    }

    private static final String INTERESTING = ":-[]{},&*!|>'\"#%@`? \t\n0123456789.~";

    /** Line-level and character-level mutations of YAML text. */
    static String mutate(List<String> seeds, SplittableRandom random) {
        List<String> lines =
                new ArrayList<>(List.of(seeds.get(random.nextInt(seeds.size())).split("\n", -1)));
        int rounds = 1 + random.nextInt(4);
        for (int r = 0; r < rounds && !lines.isEmpty(); r++) {
            int at = random.nextInt(lines.size());
            String line = lines.get(at);
            switch (random.nextInt(7)) {
                case 0:
                    lines.remove(at);
                    break;
                case 1:
                    lines.add(at, line);
                    break;
                case 2: {
                    String[] other = seeds.get(random.nextInt(seeds.size())).split("\n", -1);
                    lines.add(at, other[random.nextInt(other.length)]);
                    break;
                }
                case 3:
                    lines.set(at, " ".repeat(random.nextInt(6)) + line.strip());
                    break;
                case 4: {
                    int pos = line.isEmpty() ? 0 : random.nextInt(line.length() + 1);
                    char c = INTERESTING.charAt(random.nextInt(INTERESTING.length()));
                    lines.set(at, line.substring(0, pos) + c + line.substring(pos));
                    break;
                }
                case 5:
                    if (!line.isEmpty()) {
                        int pos = random.nextInt(line.length());
                        lines.set(at, line.substring(0, pos) + line.substring(pos + 1));
                    }
                    break;
                default:
                    if (!line.isEmpty()) {
                        int pos = random.nextInt(line.length());
                        char c = (char) random.nextInt(0x20, 0x3000);
                        lines.set(at, line.substring(0, pos) + c + line.substring(pos + 1));
                    }
                    break;
            }
        }
        return String.join("\n", lines);
    }
}
