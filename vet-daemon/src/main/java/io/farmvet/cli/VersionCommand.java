package io.farmvet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code farmvet version}: the same line as {@code farmvet --version}. */
@Command(
        name = "version",
        header = "print the version",
        description = "Prints farmvet's version (from the jar's manifest) on stdout, as --version does.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:version printed"})
final class VersionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().printVersionHelp(spec.commandLine().getOut());
        return ExitCodes.CONSISTENT;
    }
}
