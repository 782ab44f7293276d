package io.farmvet.git.remote;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.eclipse.jgit.errors.TransportException;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.RemoteSession;
import org.eclipse.jgit.transport.RemoteSession2;
import org.eclipse.jgit.transport.SshConfigStore;
import org.eclipse.jgit.transport.SshSessionFactory;
import org.eclipse.jgit.transport.URIish;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.agent.ConnectorFactory;
import org.eclipse.jgit.util.FS;

/**
 * JGit's ssh sessions (Apache MINA sshd) for one ls-remote, held to farmvet's rules: the one key of
 * {@link SshIdentity}, public-key authentication only, host keys checked strictly against its known_hosts file
 * ({@link StrictKnownHosts}); no ssh config, no agent, nothing from {@code ~/.ssh}; the remote
 * {@code git-upload-pack}'s output counted against the call's {@link ReadBudget}. JGit makes one sshd client per
 * session, so one of these per call costs nothing more. The time bounds are the transport's (connect and each read
 * within the read timeout) and the budget's deadline, checked at every read.
 */
final class GuardedSsh extends SshSessionFactory {
    private final KeyPair key;
    private final StrictKnownHosts knownHosts;
    private final ReadBudget budget;
    private final Sessions sessions;

    GuardedSsh(SshIdentity identity, KeyPair key, StrictKnownHosts knownHosts, ReadBudget budget) {
        this.key = key;
        this.knownHosts = knownHosts;
        this.budget = budget;
        this.sessions = new Sessions(identity.keyFile());
    }

    /** Why the server's host key was refused, or null. */
    String hostKeyRefusal() {
        return knownHosts.refusal();
    }

    @Override
    public RemoteSession getSession(URIish uri, CredentialsProvider credentials, FS fs, int tms)
            throws TransportException {
        return new Bounded(sessions.getSession(uri, credentials, fs, tms));
    }

    @Override
    public void releaseSession(RemoteSession session) {
        session.disconnect();
    }

    @Override
    public String getType() {
        return "farmvet";
    }

    void close() {
        sessions.close();
    }

    /** JGit's factory with every place it would look for keys, config or an agent pointed at farmvet's own. */
    private final class Sessions extends SshdSessionFactory {
        Sessions(Path keyFile) {
            super(null, null);
            // Only for "~" in paths JGit makes up; with the overrides below nothing is read from there.
            File dir = keyFile.toAbsolutePath().getParent().toFile();
            setHomeDirectory(dir);
            setSshDirectory(dir);
        }

        @Override
        protected File getSshConfig(File sshDir) {
            return null;
        }

        @Override
        protected SshConfigStore createSshConfigStore(File homeDir, File configFile, String localUserName) {
            return null;
        }

        @Override
        protected ServerKeyDatabase getServerKeyDatabase(File homeDir, File sshDir) {
            return knownHosts;
        }

        @Override
        protected ServerKeyDatabase createServerKeyDatabase(File homeDir, File sshDir) {
            return knownHosts;
        }

        @Override
        protected ConnectorFactory getConnectorFactory() {
            return null;
        }

        @Override
        protected List<Path> getDefaultKnownHostsFiles(File sshDir) {
            return List.of();
        }

        @Override
        protected Iterable<KeyPair> getDefaultKeys(File sshDir) {
            return List.of(key);
        }

        @Override
        protected List<Path> getDefaultIdentities(File sshDir) {
            return List.of();
        }

        @Override
        protected String getDefaultPreferredAuthentications() {
            return "publickey";
        }
    }

    /** A session whose commands' output is counted against the budget. */
    private final class Bounded implements RemoteSession2 {
        private final RemoteSession session;

        Bounded(RemoteSession session) {
            this.session = session;
        }

        @Override
        public Process exec(String command, Map<String, String> environment, int timeout) throws IOException {
            Process process = session instanceof RemoteSession2 withEnvironment
                    ? withEnvironment.exec(command, environment, timeout)
                    : session.exec(command, timeout);
            return new BoundedProcess(process);
        }

        @Override
        public Process exec(String command, int timeout) throws IOException {
            return new BoundedProcess(session.exec(command, timeout));
        }

        @Override
        public void disconnect() {
            session.disconnect();
        }
    }

    private final class BoundedProcess extends Process {
        private final Process process;
        private final InputStream out;

        BoundedProcess(Process process) {
            this.process = process;
            this.out = budget.bound(process.getInputStream());
        }

        @Override
        public OutputStream getOutputStream() {
            return process.getOutputStream();
        }

        @Override
        public InputStream getInputStream() {
            return out;
        }

        @Override
        public InputStream getErrorStream() {
            return process.getErrorStream();
        }

        @Override
        public int waitFor() throws InterruptedException {
            return process.waitFor();
        }

        @Override
        public boolean waitFor(long timeout, TimeUnit unit) throws InterruptedException {
            return process.waitFor(timeout, unit);
        }

        @Override
        public int exitValue() {
            return process.exitValue();
        }

        @Override
        public void destroy() {
            process.destroy();
        }
    }
}
