package io.farmvet.git;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * Runs the real {@code git} CLI for golden tests and builds real repositories with it, with a fixed identity and
 * clock so object ids are the same on every run, and without the user's or system's git config. Shared with the
 * other modules' tests through hash-engine's test-jar.
 */
public final class GitCli {
    /** The contract's one-liner, verbatim. */
    public static final String CONTENT_ONE_LINER =
            "git for-each-ref --format='%(objectname) %(refname)' refs/heads refs/tags | LC_ALL=C sort -k2";

    public static final String EMPTY_INPUT_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    private static final String FIXED_DATE = "2024-01-02T03:04:05Z";

    private GitCli() {}

    /** Runs {@code git args...} in {@code dir}; returns stdout; fails the test on a non-zero exit. */
    public static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        return run(dir, command, null);
    }

    /** Runs {@code script} with {@code sh -c} in {@code dir}, {@code LC_ALL=C}; returns stdout. */
    public static String sh(Path dir, String script) {
        return run(dir, List.of("sh", "-c", script), null);
    }

    public static String shWithInput(Path dir, String script, String stdin) {
        return run(dir, List.of("sh", "-c", script), stdin);
    }

    /** What the contract's one-liner prints (before {@code sha256sum}). */
    public static String cliContentInput(Path gitDir) {
        return sh(gitDir, CONTENT_ONE_LINER);
    }

    /** The contract's one-liner including {@code sha256sum}, as the lower-case hex it prints. */
    public static String cliContentHash(Path gitDir) {
        String out = sh(gitDir, CONTENT_ONE_LINER + " | sha256sum");
        return out.substring(0, out.indexOf(' '));
    }

    /** {@code git init --bare} with {@code main} as the initial branch. */
    public static Path initBare(Path gitDir) {
        try {
            Files.createDirectories(gitDir.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(
                gitDir.getParent(),
                List.of("git", "-c", "init.defaultBranch=main", "init", "-q", "--bare", gitDir.toString()),
                null);
        return gitDir;
    }

    /** A commit of the empty tree; different messages give different commits. */
    public static String commit(Path gitDir, String message, String... parents) {
        String tree = sh(gitDir, "git mktree </dev/null").trim();
        List<String> command = new ArrayList<>(List.of("git", "commit-tree", tree, "-m", message));
        for (String parent : parents) {
            command.add("-p");
            command.add(parent);
        }
        return run(gitDir, command, null).trim();
    }

    /** A bare repository with {@code main} at a commit named {@code message}; returns the commit id. */
    public static String initWithMain(Path gitDir, String message) {
        initBare(gitDir);
        String commit = commit(gitDir, message);
        git(gitDir, "update-ref", "refs/heads/main", commit);
        return commit;
    }

    /** {@code git clone --mirror source target}, creating the target's parent. */
    public static Path cloneMirror(Path source, Path target) {
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        git(target.getParent(), "clone", "-q", "--mirror", source.toString(), target.toString());
        return target;
    }

    private static String run(Path dir, List<String> command, String stdin) {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        Map<String, String> env = builder.environment();
        env.keySet().removeIf(name -> name.startsWith("GIT_"));
        env.put("LC_ALL", "C");
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_AUTHOR_NAME", "Farm Vet");
        env.put("GIT_AUTHOR_EMAIL", "vet@farmvet.invalid");
        env.put("GIT_AUTHOR_DATE", FIXED_DATE);
        env.put("GIT_COMMITTER_NAME", "Farm Vet");
        env.put("GIT_COMMITTER_EMAIL", "vet@farmvet.invalid");
        env.put("GIT_COMMITTER_DATE", FIXED_DATE);
        try {
            Process process = builder.start();
            CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
            if (stdin != null) {
                process.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            process.getOutputStream().close();
            byte[] stdout = process.getInputStream().readAllBytes();
            assertThat(process.waitFor(60, TimeUnit.SECONDS))
                    .as("%s finished within 60 s", command)
                    .isTrue();
            String err = new String(stderr.get(), StandardCharsets.UTF_8);
            assertThat(process.exitValue())
                    .as("exit code of %s in %s; stderr: %s", command, dir, err)
                    .isZero();
            return new String(stdout, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readAll(InputStream in) {
        try {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
