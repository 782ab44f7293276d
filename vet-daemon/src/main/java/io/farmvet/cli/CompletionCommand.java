package io.farmvet.cli;

import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code farmvet completion bash|zsh}: a completion script for every command and option, from picocli's {@link
 * AutoComplete}. The one script serves both shells: under zsh it loads {@code bashcompinit} itself.
 */
@Command(
        name = "completion",
        header = "print a bash or zsh completion script",
        description = {
            "Prints a shell completion script for farmvet on stdout.",
            "bash: put 'source <(farmvet completion bash)' in ~/.bashrc,",
            "  or save the script as /etc/bash_completion.d/farmvet.",
            "zsh: put 'source <(farmvet completion zsh)' in ~/.zshrc",
            "  (the script loads zsh's bashcompinit)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:script printed", "3:bad usage (a shell other than bash or zsh)"})
final class CompletionCommand implements Callable<Integer> {
    static final List<String> SHELLS = List.of("bash", "zsh");

    private final PrintStream out;

    @Spec
    CommandSpec spec;

    @Parameters(
            paramLabel = "SHELL",
            completionCandidates = Shells.class,
            description = "the shell: ${COMPLETION-CANDIDATES}")
    String shell;

    CompletionCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() {
        if (!SHELLS.contains(shell)) {
            throw new ParameterException(
                    spec.commandLine(), "SHELL must be one of " + String.join(", ", SHELLS) + ", not '" + shell + "'");
        }
        out.print(AutoComplete.bash(spec.root().name(), spec.root().commandLine()));
        out.flush();
        return ExitCodes.CONSISTENT;
    }

    static final class Shells implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return SHELLS.iterator();
        }
    }
}
