package io.farmvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The man pages the build writes into {@code target/man} (exec-maven-plugin runs {@link ManPages}, asciidoctor
 * renders its AsciiDoc to roff, both before the tests): one per command, each a man page that renders.
 */
class ManPagesTest {
    private static final Path MAN = Path.of("target", "man");

    static Stream<String> pages() {
        return Stream.concat(
                Stream.of("farmvet.1"),
                MainTest.commands().stream().map(command -> "farmvet-" + command.replace(' ', '-') + ".1"));
    }

    @ParameterizedTest
    @MethodSource("pages")
    void theBuildWroteAManPagePerCommandThatRenders(String name) throws Exception {
        Path page = MAN.resolve(name);
        assertThat(page).as("run the build (process-classes) first: %s", page).isRegularFile();
        String roff = Files.readString(page);
        // roff writes a hyphen as \- and asciidoctor upper-cases the title.
        String title = name.substring(0, name.length() - 2)
                .toUpperCase(java.util.Locale.ROOT)
                .replace("-", "\\\\-");

        assertThat(roff)
                .containsPattern("(?m)^\\.TH \"" + title + "\" \"1\" ")
                .containsPattern("(?m)^\\.SH \"NAME\"$")
                .containsPattern("(?m)^\\.SH \"SYNOPSIS\"$")
                .containsPattern("(?m)^\\.SH \"DESCRIPTION\"$");
        if (onPath("groff")) {
            String text = render(page);
            assertThat(text).contains("NAME").contains("SYNOPSIS").contains("farmvet");
        }
    }

    @Test
    void thePagesSayWhatHelpSays() throws Exception {
        String roff = Files.readString(MAN.resolve("farmvet-check-config.1"));
        assertThat(roff).contains("syntax\\-only").contains("before its secrets exist");
    }

    /** groff's text rendering, with every warning on: a warning (bad macro, bad escape) fails the test. */
    private static String render(Path page) throws Exception {
        Path out = Files.createTempFile("farmvet-man", ".txt");
        Path err = Files.createTempFile("farmvet-man", ".err");
        try {
            Process groff = new ProcessBuilder(List.of("groff", "-man", "-Tutf8", "-ww", "-P-cbou", page.toString()))
                    .redirectOutput(out.toFile())
                    .redirectError(err.toFile())
                    .start();
            assertThat(groff.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(Files.readString(err)).as("groff's warnings on %s", page).isEmpty();
            assertThat(groff.exitValue()).isZero();
            return Files.readString(out);
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static boolean onPath(String program) {
        String path = System.getenv("PATH");
        return path != null
                && Stream.of(path.split(File.pathSeparator)).anyMatch(dir -> Files.isExecutable(Path.of(dir, program)));
    }
}
