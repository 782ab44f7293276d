package io.farmvet.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code farmvet help [COMMAND...]}: the usage of a command ({@code help bench vet} for a nested one), or the
 * command list, on stdout. An unknown name is a usage error with the nearest command suggested, as on the command
 * line itself.
 */
@Command(
        name = "help",
        header = "print the usage of a command, or the list of commands",
        helpCommand = true,
        description = "Prints the usage of COMMAND, or the list of commands, on stdout.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:usage printed", "3:no such command"})
final class HelpCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "COMMAND", arity = "0..*", description = "the command, e.g. vet or bench vet")
    List<String> names = new ArrayList<>();

    @Override
    public Integer call() {
        CommandLine command = spec.parent().commandLine();
        for (String name : names) {
            CommandLine sub = command.getSubcommands().get(name);
            if (sub == null) {
                throw new UnmatchedArgumentException(command, List.of(name));
            }
            command = sub;
        }
        command.usage(spec.commandLine().getOut());
        return ExitCodes.CONSISTENT;
    }
}
