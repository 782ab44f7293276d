package io.farmvet.cli;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the AsciiDoc source of farmvet's man pages, one per command ({@code farmvet.adoc}, {@code
 * farmvet-vet.adoc}, {@code farmvet-bench-vet.adoc}, ...), from the same command tree {@link Main} runs, so the
 * pages cannot drift from {@code --help}. Run by the build (exec-maven-plugin, before the tests); asciidoctor's
 * manpage backend then renders them to roff in {@code target/man}. A build tool: picocli-codegen is not in the
 * shaded jar.
 */
public final class ManPages {
    private ManPages() {}

    /** {@code ManPages OUTDIR}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 1) {
            throw new IllegalArgumentException("usage: ManPages OUTDIR");
        }
        write(new File(args[0]));
    }

    static void write(File outdir) throws IOException {
        PrintStream discard = new PrintStream(OutputStream.nullOutputStream());
        Main main = new Main(discard, discard, false);
        int code = ManPageGenerator.generateManPage(
                outdir, null, new boolean[0], true, main.commandLine().getCommandSpec());
        if (code != 0) {
            throw new IOException("picocli's ManPageGenerator failed with " + code + " writing into " + outdir);
        }
    }
}
