package io.farmvet.cli;

import io.farmvet.config.ConfigException;
import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.util.Units;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code farmvet check-config}: the config loader's verdict on one file, nothing started. */
@Command(
        name = "check-config",
        header = "validate a config file (every problem, with its key path)",
        description = {
            "Validates a config file as vet and run would load it, and lists every problem with its key path.",
            "Without --syntax-only it also reads every file the config names (token and password files, the CA"
                    + " file), as a vet would."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:the config is valid", "3:bad usage, or the config has problems (each listed on stderr)"})
final class CheckConfigCommand implements Callable<Integer> {
    private final PrintStream out;

    @Parameters(paramLabel = "FILE", description = "the farmvet YAML config")
    Path file;

    @Option(
            names = "--syntax-only",
            description = "check types, keys and values only: read no file the config names, so that a template"
                    + " can be checked before its secrets exist")
    boolean syntaxOnly;

    CheckConfigCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws ConfigException {
        FarmvetConfig config =
                ConfigLoader.load(file, syntaxOnly ? ConfigLoader.Check.SYNTAX_ONLY : ConfigLoader.Check.FULL);
        out.printf(
                "%s: OK%s (farm %s, primary %s, %s)%n",
                file,
                syntaxOnly ? " as far as --syntax-only checks; files it names were not read" : "",
                config.farm().name(),
                config.primary().url(),
                Units.count(config.nodes().size(), "node", "nodes"));
        return ExitCodes.CONSISTENT;
    }
}
