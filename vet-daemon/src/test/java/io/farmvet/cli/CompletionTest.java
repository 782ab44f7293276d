package io.farmvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code farmvet completion}: the script is loaded by a real bash and completes commands and options. */
class CompletionTest {
    @TempDir
    Path dir;

    @Test
    void bashLoadsTheScriptAndCompletesCommandsAndOptions() throws Exception {
        Path script = dir.resolve("farmvet.bash");
        Files.writeString(script, completion("bash"));

        // COMP_WORDS/COMP_CWORD are what bash hands a completion function on TAB.
        String result = bash("source " + script + " && complete -p farmvet"
                + " && COMP_LINE='farmvet che' COMP_WORDS=(farmvet che) COMP_CWORD=1"
                + " && _complete_farmvet farmvet che farmvet"
                + " && echo \"commands: ${COMPREPLY[*]}\""
                + " && COMP_LINE='farmvet check-config --syn' COMP_WORDS=(farmvet check-config --syn) COMP_CWORD=2"
                + " && _complete_farmvet farmvet --syn check-config && echo \"options: ${COMPREPLY[*]}\"");

        assertThat(result)
                .startsWith("complete -o default -F _complete_farmvet farmvet\n")
                .contains("commands: check-config")
                .contains("options: --syntax-only");
    }

    @Test
    void zshGetsTheSameScriptWhichLoadsBashcompinitUnderZsh() throws Exception {
        String zsh = completion("zsh");

        assertThat(zsh).isEqualTo(completion("bash")).contains("bashcompinit");
    }

    private static String completion(String shell) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = new Main(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        false)
                .run("completion", shell);
        assertThat(code).isZero();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        return out.toString(StandardCharsets.UTF_8);
    }

    private String bash(String command) throws IOException, InterruptedException {
        Path output = dir.resolve("bash.out");
        Process bash = new ProcessBuilder(List.of("bash", "--norc", "--noprofile", "-c", command))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String text = Files.readString(output);
        assertThat(bash.exitValue()).as(text).isZero();
        return text;
    }
}
