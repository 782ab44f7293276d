package io.farmvet.git;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;

/**
 * A real SSH server on loopback (Apache MINA sshd) that runs the real {@code git upload-pack} on the bare
 * repositories under a root, as a forge's ssh endpoint does: {@code ssh://git@127.0.0.1:PORT/PROJ/slug.git} is
 * {@code ROOT/PROJ/slug.git}. Public-key login of user {@code git} with one allowed client key; protocol v2 through
 * the client's {@code GIT_PROTOCOL}. Knobs: a new host key ({@link #changeHostKey}, as a reinstalled or spoofed
 * server), a stall (commands that never answer). Keys are made fresh per server. Thread-safe.
 */
public final class GitSshServer implements AutoCloseable {
    public static final String USER = "git";
    private static final Pattern UPLOAD_PACK = Pattern.compile("git-upload-pack '(/[^']*)'");

    private final SshServer server;
    private final Path root;
    private final List<String> commands = new CopyOnWriteArrayList<>();
    private volatile KeyPair hostKey;
    private volatile KeyPair clientKey;
    private volatile boolean stalled;

    private GitSshServer(Path root) throws IOException {
        this.root = root;
        hostKey = newKeyPair();
        clientKey = newKeyPair();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(session -> List.of(hostKey));
        server.setPublickeyAuthenticator(
                (username, key, session) -> USER.equals(username) && KeyUtils.compareKeys(key, clientKey.getPublic()));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setCommandFactory((channel, command) -> new UploadPack(command));
        server.start();
    }

    public static GitSshServer start(Path root) throws IOException {
        return new GitSshServer(root);
    }

    public static KeyPair newKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return server.getPort();
    }

    /** {@code ssh://git@127.0.0.1:PORT/relative}. */
    public String repositoryUrl(String relative) {
        return "ssh://" + USER + "@127.0.0.1:" + port() + "/" + relative;
    }

    /** Writes the allowed client key as an unencrypted OpenSSH private key file. */
    public Path writeClientKey(Path file) {
        return writePrivateKey(clientKey, file);
    }

    public static Path writePrivateKey(KeyPair key, Path file) {
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(key, "farmvet-test", null, out);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The known_hosts line of this server's current host key, as {@code ssh-keyscan -p PORT 127.0.0.1} prints it. */
    public String knownHostsLine() {
        return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    public Path writeKnownHosts(Path file) {
        try {
            return Files.writeString(file, knownHostsLine() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The SHA-256 fingerprint of the current host key, as {@code ssh-keygen -l} shows it. */
    public String hostKeyFingerprint() {
        return KeyUtils.getFingerPrint(hostKey.getPublic());
    }

    /** From now on the server shows a new host key. */
    public GitSshServer changeHostKey() {
        hostKey = newKeyPair();
        return this;
    }

    /** Commands start and never write a byte. */
    public GitSshServer stall() {
        stalled = true;
        return this;
    }

    /** The commands clients ran, as received. */
    public List<String> commands() {
        return List.copyOf(commands);
    }

    @Override
    public void close() throws IOException {
        server.stop(true);
    }

    /** {@code git-upload-pack '/PROJ/slug.git'}, run as the real {@code git upload-pack} on the root's repository. */
    private final class UploadPack implements Command {
        private final String command;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;
        private volatile Process process;

        UploadPack(String command) {
            this.command = command;
            commands.add(command);
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback exit) {
            this.exit = exit;
        }

        @Override
        public void start(ChannelSession channel, Environment environment) throws IOException {
            if (stalled) {
                return;
            }
            Matcher m = UPLOAD_PACK.matcher(command);
            if (!m.matches()) {
                err.write(("unknown command: " + command + "\n").getBytes(StandardCharsets.UTF_8));
                err.flush();
                exit.onExit(127);
                return;
            }
            ProcessBuilder builder = new ProcessBuilder(
                    "git",
                    "upload-pack",
                    "--strict",
                    root.resolve(m.group(1).substring(1)).toString());
            Map<String, String> env = builder.environment();
            env.keySet().removeIf(name -> name.startsWith("GIT_"));
            env.put("GIT_CONFIG_NOSYSTEM", "1");
            env.put("GIT_CONFIG_GLOBAL", "/dev/null");
            String protocol = environment.getEnv().get("GIT_PROTOCOL");
            if (protocol != null) {
                env.put("GIT_PROTOCOL", protocol);
            }
            Process started = builder.start();
            process = started;
            pump(in, started.getOutputStream(), true, "ssh-git-stdin");
            Thread error = pump(started.getErrorStream(), err, false, "ssh-git-stderr");
            Thread output = new Thread(
                    () -> {
                        try {
                            copy(started.getInputStream(), out);
                            error.join();
                            exit.onExit(started.waitFor());
                        } catch (IOException e) {
                            exit.onExit(255, e.getMessage());
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    },
                    "ssh-git-stdout");
            output.setDaemon(true);
            output.start();
        }

        private Thread pump(InputStream from, OutputStream to, boolean closeAfter, String name) {
            Thread thread = new Thread(
                    () -> {
                        try {
                            copy(from, to);
                            if (closeAfter) {
                                to.close();
                            }
                        } catch (IOException e) {
                            // The other side went away.
                        }
                    },
                    name);
            thread.setDaemon(true);
            thread.start();
            return thread;
        }

        private void copy(InputStream from, OutputStream to) throws IOException {
            byte[] buffer = new byte[8192];
            for (int n; (n = from.read(buffer)) >= 0; ) {
                to.write(buffer, 0, n);
                to.flush();
            }
        }

        @Override
        public void destroy(ChannelSession channel) {
            Process running = process;
            if (running != null) {
                running.destroyForcibly();
            }
        }
    }
}
