package io.farmvet.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
    @TempDir
    Path dir;

    @Test
    void deletesATreeButNothingALinkPointsTo() throws Exception {
        Path outside = Files.writeString(
                Files.createDirectories(dir.resolve("outside")).resolve("keep"), "x");
        Path root = Files.createDirectories(dir.resolve("root/a/b"));
        Files.writeString(root.resolve("file"), "y");
        Files.createSymbolicLink(dir.resolve("root/a/link"), outside.getParent());

        FileTrees.delete(dir.resolve("root"));

        assertThat(dir.resolve("root")).doesNotExist();
        assertThat(outside).hasContent("x");
        FileTrees.delete(dir.resolve("root")); // already gone: nothing to do
    }
}
