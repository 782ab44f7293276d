package io.farmvet.agent;

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
 * Builds real repositories with the {@code git} CLI, with a fixed identity and clock so object ids are the same on
 * every run, and without the user's or system's git config.
 */
final class Git {
    private static final String FIXED_DATE = "2024-01-02T03:04:05Z";

    private Git() {}

    /** Runs {@code git args...} in {@code dir}; returns stdout; fails the test on a non-zero exit. */
    static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        return run(dir, command);
    }

    /** A bare repository with {@code main} (also HEAD) at a commit named {@code message}; returns the commit. */
    static String initWithMain(Path gitDir, String message) {
        try {
            Files.createDirectories(gitDir.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        run(
                gitDir.getParent(),
                List.of("git", "-c", "init.defaultBranch=main", "init", "-q", "--bare", gitDir.toString()));
        String commit = commit(gitDir, message);
        git(gitDir, "update-ref", "refs/heads/main", commit);
        return commit;
    }

    /** A commit of the empty tree; different messages give different commits. */
    static String commit(Path gitDir, String message, String... parents) {
        String tree = run(gitDir, List.of("sh", "-c", "git mktree </dev/null")).trim();
        List<String> command = new ArrayList<>(List.of("git", "commit-tree", tree, "-m", message));
        for (String parent : parents) {
            command.add("-p");
            command.add(parent);
        }
        return run(gitDir, command).trim();
    }

    /** {@code git clone --mirror source target}, creating the target's parent. */
    static Path cloneMirror(Path source, Path target) {
        try {
            Files.createDirectories(target.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        git(target.getParent(), "clone", "-q", "--mirror", source.toString(), target.toString());
        return target;
    }

    private static String run(Path dir, List<String> command) {
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
