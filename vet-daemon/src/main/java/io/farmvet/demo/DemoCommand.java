package io.farmvet.demo;

import io.farmvet.git.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code farmvet demo}: runs a {@link Demo} in a new temporary folder (removed at the end) or in {@code --dir} (a
 * new or empty folder, kept). With {@code --keep-running} the farm stays up after the second vet until Ctrl-C,
 * and its folder is kept.
 */
@Command(
        name = "demo",
        header = "build a demo farm on this machine, let it drift, vet and repair it, vet again",
        description = {
            "Builds a demo farm of Git repositories on this machine (a primary and mirrors, each served by a"
                    + " farmvet agent), lets it drift, vets and repairs it through the agents, and vets again.",
            "Needs nothing but Java: no Bitbucket, no git, nothing from the network; everything listens on loopback."
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the farm converged",
            "1:it did not",
            "2:the farm could not be built or started",
            "3:bad usage (--dir not a new or empty folder)"
        })
public final class DemoCommand implements Callable<Integer> {
    public static final int EXIT_CANNOT_RUN = 2;
    public static final int EXIT_USAGE = 3;

    private final PrintStream out;
    private final PrintStream err;

    @Spec
    CommandSpec spec;

    @Option(
            names = "--keep-running",
            description = "keep the farm and its agents up after the second vet, until Ctrl-C, to try farmvet on it")
    boolean keepRunning;

    @Option(
            names = "--dir",
            paramLabel = "DIR",
            description = "build the farm in DIR (new or empty) and keep it; default: a temporary folder, removed at"
                    + " the end unless --keep-running")
    Path dir;

    public DemoCommand(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public Integer call() {
        Path dir = this.dir;
        boolean temporary = dir == null;
        try {
            dir = temporary ? Files.createTempDirectory("farmvet-demo-") : usable(dir);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage(), e);
        } catch (IOException e) {
            err.println("farmvet demo: cannot create the demo folder: " + e);
            return EXIT_CANNOT_RUN;
        }

        Demo demo = new Demo(dir, out);
        boolean stayUp = false;
        try {
            int code = demo.run();
            if (keepRunning) {
                stayUp = true;
                demo.printPlayground();
                Path kept = dir;
                Runtime.getRuntime()
                        .addShutdownHook(new Thread(
                                () -> {
                                    demo.close();
                                    out.println("farmvet demo: agents stopped; the farm's files stay in " + kept);
                                    out.flush();
                                },
                                "farmvet-demo-stop"));
                demo.awaitStop();
            }
            return code;
        } catch (IOException e) {
            err.println("farmvet demo: " + e.getMessage());
            return EXIT_CANNOT_RUN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return EXIT_CANNOT_RUN;
        } finally {
            if (!stayUp) {
                demo.close();
                if (temporary) {
                    removeQuietly(dir, err);
                } else {
                    out.println("the farm's files stay in " + dir);
                }
            }
        }
    }

    /** {@code DIR} must be new or empty: the demo writes its own layout there and must not mix with anything. */
    private static Path usable(Path dir) throws IOException {
        if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
            if (!Files.isDirectory(dir)) {
                throw new IllegalArgumentException("--dir " + dir + ": not a directory");
            }
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isPresent()) {
                    throw new IllegalArgumentException("--dir " + dir + ": not empty; give a new or empty folder");
                }
            }
            return dir;
        }
        return Files.createDirectories(dir);
    }

    private static void removeQuietly(Path dir, PrintStream err) {
        try {
            FileTrees.delete(dir);
        } catch (IOException e) {
            err.println("farmvet demo: could not remove " + dir + ": " + e);
        }
    }
}
