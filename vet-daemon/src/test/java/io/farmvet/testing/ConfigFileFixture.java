package io.farmvet.testing;

import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.farmvet.config.ConfigException;
import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The fixture of the config-file tests, to extend: a folder of the test's own for {@code farmvet.yaml} and the
 * secret files beside it, the config loaded from there as farmvet loads it, and the log lines of the config
 * package, which warns about what it accepts.
 */
public abstract class ConfigFileFixture {
    /** A farm with a primary and one node; every other key takes its default. */
    protected static final String MINIMAL = """
            farm:
              name: emea
            primary:
              url: https://bitbucket.example.com
            nodes:
              - name: mirror-1
                url: https://mirror-1.example.com
            """;

    @TempDir
    protected Path dir;

    /** What the config package logged during the test. */
    protected final ListAppender<ILoggingEvent> logs = new ListAppender<>();

    private final Logger configLogger = (Logger) LoggerFactory.getLogger("io.farmvet.config");

    @BeforeEach
    protected void captureLogs() {
        logs.start();
        configLogger.addAppender(logs);
    }

    @AfterEach
    protected void releaseLogs() {
        configLogger.detachAppender(logs);
    }

    /** Writes {@code yaml} to {@code farmvet.yaml} in {@link #dir} and loads it. */
    protected FarmvetConfig load(String yaml) throws IOException, ConfigException {
        return ConfigLoader.load(configFile(yaml));
    }

    /** As {@link #load}, for a config that must be refused: the refusal. */
    protected ConfigException loadFails(String yaml) throws IOException {
        Path file = configFile(yaml);
        return catchThrowableOfType(ConfigException.class, () -> ConfigLoader.load(file));
    }

    /** Writes a secret (or any other) file at {@code relative} in {@link #dir}, creating its folder. */
    protected Path secretFile(String relative, String content) throws IOException {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, content);
        return file;
    }

    /** The config package's WARN lines so far. */
    protected List<String> warnings() {
        return logs.list.stream()
                .filter(e -> e.getLevel() == Level.WARN)
                .map(ILoggingEvent::getFormattedMessage)
                .toList();
    }

    private Path configFile(String yaml) throws IOException {
        return Files.writeString(dir.resolve("farmvet.yaml"), yaml);
    }
}
