package io.farmvet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code farmvet}: the root of the command tree. Given no command, it prints the command list on stderr and exits 3,
 * since a script that runs {@code farmvet} alone has a bug; {@code farmvet help} prints the same list on stdout.
 * Every command inherits {@code -h, --help} and {@code -V, --version} from here.
 */
@Command(
        name = "farmvet",
        header = "finds and repairs drift between a Git primary and its mirror farm",
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = ManifestVersion.class,
        synopsisSubcommandLabel = "COMMAND",
        description = {
            "Run 'farmvet help COMMAND' or 'farmvet COMMAND --help' for a command's options,"
                    + " 'farmvet completion bash' for completion; each command has a man page, farmvet-COMMAND(1)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:every node vetted and consistent",
            "1:inconsistencies found",
            "2:the primary or a node could not be vetted",
            "3:bad usage or config, or no command given"
        })
final class FarmvetCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return ExitCodes.USAGE;
    }
}
