package io.farmvet.git;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class RepositoryHasherEnvironmentTest {
    @Test
    void refusesAJvmThatDecodesFileNamesWithoutUtf8() {
        // What the JVM reports when started with LANG unset on Linux.
        assertThatThrownBy(() -> RepositoryHasher.requireUtf8FileNames("Linux", "ANSI_X3.4-1968"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("ANSI_X3.4-1968")
                .hasMessageContaining("LANG=C.UTF-8");
        assertThatThrownBy(() -> RepositoryHasher.requireUtf8FileNames("Linux", null))
                .isInstanceOf(IllegalStateException.class);
        assertThatCode(() -> RepositoryHasher.requireUtf8FileNames("Linux", "UTF-8"))
                .doesNotThrowAnyException();
        assertThatCode(() -> RepositoryHasher.requireUtf8FileNames("Windows 11", "Cp1252"))
                .doesNotThrowAnyException();
    }

    @Test
    void refPrefixesMustBeWholeRefDirectories() {
        Clock clock = Clock.systemUTC();
        assertThatThrownBy(() -> new RepositoryHasher(List.of("refs/heads"), clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refPrefixes[0]");
        assertThatThrownBy(() -> new RepositoryHasher(List.of("refs/heads/", "heads/"), clock))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("refPrefixes[1]");
        assertThatThrownBy(() -> new RepositoryHasher(List.of(), clock)).isInstanceOf(IllegalArgumentException.class);
    }
}
