package io.farmvet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.farmvet.testing.FakeServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code farmvet diff --manifest}: two grokmirror manifests judged as two listings. */
class DiffManifestTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private static String repo(String path, String fingerprint, String head) {
        return "\"" + path + "\": {\"modified\": 1700000000, \"fingerprint\": " + fingerprint + ", \"head\": \"" + head
                + "\", \"reference\": null}";
    }

    @Test
    void findsContentMetadataMissingAndExtraAndSaysNothingOfAMissingFingerprint() throws Exception {
        String master = "ref: refs/heads/master";
        Path primary = Files.write(
                dir.resolve("primary.js.gz"),
                FakeServer.gzip("{"
                        + String.join(
                                ", ",
                                repo("/pub/a.git", "\"" + "a".repeat(40) + "\"", master),
                                repo("/pub/b.git", "\"" + "b".repeat(40) + "\"", master),
                                repo("/pub/c.git", "\"" + "c".repeat(40) + "\"", master),
                                repo("/pub/d.git", "\"" + "d".repeat(40) + "\"", master),
                                repo("/pub/e.git", "null", master))
                        + "}"));
        Path mirror = Files.writeString(
                dir.resolve("mirror.js"),
                "{"
                        + String.join(
                                ", ",
                                repo("/pub/a.git", "\"" + "a".repeat(40) + "\"", master),
                                repo("/pub/b.git", "\"" + "f".repeat(40) + "\"", master),
                                repo("/pub/c.git", "\"" + "c".repeat(40) + "\"", "ref: refs/heads/main"),
                                repo("/pub/e.git", "\"" + "e".repeat(40) + "\"", master),
                                repo("/pub/x.git", "\"" + "0123456789".repeat(4) + "\"", master))
                        + "}");

        int code = run("diff", "--manifest", primary.toString(), mirror.toString());

        assertThat(code).isEqualTo(1);
        assertThat(stdout()).contains("4 inconsistent (1 content, 1 metadata, 1 missing, 1 extra)");
    }

    @Test
    void aManifestThatIsNotOneFailsItsSideAndExitsTwo() throws Exception {
        Path good = Files.writeString(dir.resolve("good.js"), "{" + repo("/a.git", "null", "x") + "}");
        Path bad = Files.writeString(dir.resolve("bad.js.gz"), "<html>");

        int code = run("diff", "--manifest", good.toString(), bad.toString(), "--json");

        assertThat(code).isEqualTo(2);
        assertThat(stdout())
                .contains("\"status\" : \"failed\"")
                .contains("unreadable grokmirror manifest: not JSON")
                .contains("the content is not gzip");
    }

    private int run(String... args) {
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        return new Main(o, e, false).run(args);
    }

    private String stdout() {
        return out.toString(StandardCharsets.UTF_8);
    }
}
