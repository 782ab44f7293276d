package io.farmvet.cli;

import io.farmvet.compare.Scope;
import io.farmvet.grokmirror.ManifestReader;
import io.farmvet.listing.ListingLimits;
import io.farmvet.listing.ListingReader;
import io.farmvet.vet.FileDiff;
import io.farmvet.vet.VetReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code farmvet diff}: the vet's comparison on two saved listings, no network. */
@Command(
        name = "diff",
        header = "compare two saved repo-hashes listings",
        description = {
            "Compares two saved repo-hashes listings, the primary's and a node's, as a vet would, and prints the"
                    + " report on stdout (what one would otherwise do with jq and diff)."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the listings agree",
            "1:inconsistencies found",
            "2:a listing is malformed (the report says where)",
            "3:bad usage, or a file that cannot be read"
        })
final class DiffCommand implements Callable<Integer> {
    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "PRIMARY.json", description = "the primary's listing")
    Path primary;

    @Parameters(index = "1", paramLabel = "NODE.json", description = "the node's listing")
    Path node;

    @Option(
            names = "--scope",
            paramLabel = "SCOPE",
            defaultValue = "inferred",
            converter = ScopeConverter.class,
            description = {
                "which projects the node should hold: all, inferred (those it lists any repository of) or a"
                        + " comma-separated list of project ids such as 1,7,42; default: ${DEFAULT-VALUE}"
            })
    Scope scope;

    @Option(names = "--json", description = "print the report as one JSON document")
    boolean json;

    @Option(
            names = "--manifest",
            description = {
                "the two files are grokmirror manifests (manifest.js or manifest.js.gz, gzip told by content):"
                        + " equal fingerprints agree, a different one is content, a different head is metadata"
            })
    boolean manifest;

    DiffCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        try {
            FileDiff diff = manifest
                    ? FileDiff.ofManifests(new ManifestReader(), Clock.systemUTC())
                    : new FileDiff(new ListingReader(ListingLimits.DEFAULTS), Clock.systemUTC());
            VetReport report = diff.run(primary, node, scope);
            return ReportOutput.print(report, json, out, err);
        } catch (NoSuchFileException e) {
            throw new ParameterException(spec.commandLine(), "no such file: " + e.getFile());
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "cannot read " + e.getMessage());
        }
    }

    /** {@code all}, {@code inferred} or {@code 1,7,42}. */
    static final class ScopeConverter implements ITypeConverter<Scope> {
        @Override
        public Scope convert(String text) {
            switch (text) {
                case "all":
                    return Scope.ALL;
                case "inferred":
                    return Scope.INFERRED;
                default:
                    try {
                        long[] ids = Arrays.stream(text.split(","))
                                .map(String::strip)
                                .mapToLong(Long::parseLong)
                                .toArray();
                        if (Arrays.stream(ids).anyMatch(id -> id < 0)) {
                            throw new NumberFormatException();
                        }
                        return Scope.of(ids);
                    } catch (NumberFormatException e) {
                        throw new TypeConversionException(
                                "must be all, inferred or a comma-separated list of project ids, not '" + text + "'");
                    }
            }
        }
    }
}
