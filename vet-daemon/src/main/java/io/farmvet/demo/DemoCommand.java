package io.farmvet.demo;

import io.farmvet.git.FileTrees;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * {@code farmvet demo [--keep-running] [--dir DIR]}: runs a {@link Demo} in a new temporary folder (removed at the
 * end) or in {@code DIR} (a new or empty folder, kept). With {@code --keep-running} the farm stays up after the
 * second vet until Ctrl-C, and its folder is kept. Exit codes: 0 the farm converged, 1 it did not, 2 the farm
 * could not be built or started, 3 bad usage.
 */
public final class DemoCommand {
    public static final int EXIT_CANNOT_RUN = 2;
    public static final int EXIT_USAGE = 3;

    static final String USAGE = "usage: farmvet demo [--keep-running] [--dir DIR]";

    private DemoCommand() {}

    public static int run(List<String> args, PrintStream out, PrintStream err) {
        boolean keepRunning = false;
        Path dir = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            if (arg.equals("--keep-running")) {
                keepRunning = true;
            } else if (arg.equals("--dir") && i + 1 < args.size() && dir == null) {
                dir = Path.of(args.get(++i));
            } else if (arg.startsWith("--dir=") && dir == null) {
                dir = Path.of(arg.substring("--dir=".length()));
            } else {
                err.println("farmvet demo: unexpected argument '" + arg + "'");
                err.println(USAGE);
                return EXIT_USAGE;
            }
        }
        boolean temporary = dir == null;
        try {
            dir = temporary ? Files.createTempDirectory("farmvet-demo-") : usable(dir);
        } catch (IllegalArgumentException e) {
            err.println("farmvet demo: " + e.getMessage());
            return EXIT_USAGE;
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
