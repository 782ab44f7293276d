package io.farmvet.git;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;

/**
 * What a stat walk of a repository's ref storage saw, condensed to a SHA-256, so the hasher can tell "nothing
 * that could change a ref or {@code HEAD} has changed" without opening the repository.
 *
 * <p>Covers, by size, modification time and file key (device and inode on Unix, where the file system has
 * one): {@code HEAD}, {@code packed-refs}, {@code config} (it selects the ref storage format), every file under
 * {@code refs/<prefix>} for each configured prefix, every file under {@code reftable/} (the reftable backend
 * keeps all refs there), and the loose files of any extra ref names given (targets of symbolic refs that point
 * outside the prefixes). A missing file is recorded as missing. Git writes every ref file by renaming a lock
 * file over it, so an update gives a new inode even when size and mtime happen to be equal.
 *
 * <p>Left out on purpose: names starting with {@code '.'} and ending in {@code .lock} (git and JGit skip them
 * when reading refs, and JGit's file-system probe writes {@code .probe-*} files into {@code refs/heads}), and
 * directory modification times (adding or removing a ref already changes the list of files; a directory's
 * mtime also moves for lock files that never become refs, which would only cost needless re-reads).
 *
 * <p>Not covered: the object database (a hash covers refs, not objects) and symbolic links' targets (a
 * symlinked ref file is recorded by the link's own attributes). Immutable.
 */
final class RefStorageFingerprint {
    private final byte[] digest;
    private final FileTime newestModified;

    private RefStorageFingerprint(byte[] digest, FileTime newestModified) {
        this.digest = digest;
        this.newestModified = newestModified;
    }

    /** The latest modification time among the covered files ({@link FileTime} 0 when none exists). */
    FileTime newestModified() {
        return newestModified;
    }

    boolean sameAs(RefStorageFingerprint other) {
        return other != null && Arrays.equals(digest, other.digest);
    }

    static RefStorageFingerprint take(Path gitDir, List<String> refPrefixes, Collection<String> extraRefNames)
            throws IOException {
        List<String> lines = new ArrayList<>();
        FileTime[] newest = {FileTime.fromMillis(0)};
        for (String name : List.of("HEAD", "packed-refs", "config")) {
            lines.add(statLine(gitDir, name, newest));
        }
        for (String name : extraRefNames) {
            lines.add(statLine(gitDir, name, newest));
        }
        for (String prefix : refPrefixes) {
            walk(gitDir, prefix.substring(0, prefix.length() - 1), lines, newest);
        }
        walk(gitDir, "reftable", lines, newest);
        // Directory listing order is not guaranteed to be stable, and prefixes may overlap: sort and dedupe.
        lines.sort(null);
        MessageDigest sha = Sha256.newDigest();
        String previous = null;
        for (String line : lines) {
            if (!line.equals(previous)) {
                sha.update(line.getBytes(StandardCharsets.UTF_8));
            }
            previous = line;
        }
        return new RefStorageFingerprint(sha.digest(), newest[0]);
    }

    private static String statLine(Path gitDir, String relative, FileTime[] newest) throws IOException {
        try {
            BasicFileAttributes attrs = Files.readAttributes(
                    gitDir.resolve(relative), BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            return line(relative, attrs, newest);
        } catch (NoSuchFileException e) {
            return relative + "\0absent\n";
        }
    }

    private static String line(String relative, BasicFileAttributes attrs, FileTime[] newest) {
        FileTime modified = attrs.lastModifiedTime();
        if (modified.compareTo(newest[0]) > 0) {
            newest[0] = modified;
        }
        return relative + "\0" + attrs.size() + "\0" + modified.toInstant() + "\0" + attrs.fileKey() + "\n";
    }

    private static void walk(Path gitDir, String relativeDir, List<String> lines, FileTime[] newest)
            throws IOException {
        Path start = gitDir.resolve(relativeDir);
        if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) {
            // refs/tags may simply not exist; a file in its place is not a ref directory either way.
            lines.add(statLine(gitDir, relativeDir, newest));
            return;
        }
        Files.walkFileTree(start, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
                return !dir.equals(start) && ignored(dir) ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                if (!ignored(file)) {
                    lines.add(line(gitDir.relativize(file).toString(), attrs, newest));
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    // Deleted while we walked (a pack-refs or ref deletion in flight): record it, so this
                    // fingerprint differs from the settled state and the next hash reads the refs again.
                    lines.add(gitDir.relativize(file) + "\0vanished\n");
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }
        });
    }

    private static boolean ignored(Path path) {
        String name = path.getFileName().toString();
        return name.startsWith(".") || name.endsWith(".lock");
    }
}
