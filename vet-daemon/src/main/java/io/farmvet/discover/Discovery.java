package io.farmvet.discover;

import io.farmvet.concurrent.NamedThreads;
import io.farmvet.config.Auth;
import io.farmvet.config.ConfigLoader;
import io.farmvet.config.FarmvetConfig;
import io.farmvet.fetch.FarmNodesProbe;
import io.farmvet.fetch.ListingFetcher;
import io.farmvet.fetch.PagedGet;
import io.farmvet.util.Units;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What {@code farmvet discover} asks: the primary's mirror servers, then each one's farm members at its {@code
 * baseUrl} ({@link FarmNodesProbe}, with the same credentials), all within one deadline: past it, the read of the
 * mirror servers is cancelled, and a farm that has not answered gets a note saying so. A farm that fails is a note
 * on it, never the end of the others. One discovery per instance; close it.
 */
public final class Discovery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Discovery.class);

    /** Farms asked at once: a primary has a handful. */
    static final int CONCURRENCY = 8;
    /** What a farm's note ends with when its members are not listed. */
    static final String NOT_LISTED = "its members are not listed";

    /**
     * One mirror server with its members.
     *
     * @param members null when they could not be listed ({@code note} says why)
     * @param note what went wrong, naming the mirror and what to do; null when nothing did
     */
    public record Farm(MirrorServers.MirrorServer server, List<FarmNodesProbe.Member> members, String note) {
        public Farm {
            members = members == null ? null : List.copyOf(members);
        }
    }

    private final ListingFetcher fetcher;
    private final FarmvetConfig.Server primary;
    private final String credentials;
    private final Duration deadline;
    private final long endNanos;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(NamedThreads.of("discover-deadline"));
    private final ExecutorService asks = Executors.newFixedThreadPool(CONCURRENCY, NamedThreads.of("discover"));

    /**
     * @param credentials whose account a 401 names, for the hints ("the account of --token-file")
     * @param deadline the whole discovery's bound ({@code --deadline})
     */
    public Discovery(ListingFetcher fetcher, FarmvetConfig.Server primary, String credentials, Duration deadline) {
        this.fetcher = fetcher;
        this.primary = primary;
        this.credentials = credentials;
        this.deadline = deadline;
        this.endNanos = System.nanoTime() + deadline.toNanos();
    }

    /** The primary's mirror servers, read whole within the deadline. */
    public List<MirrorServers.MirrorServer> mirrorServers() throws PagedGet.PagingException {
        MirrorServers servers = new MirrorServers(fetcher, primary);
        var cancel = timer.schedule(servers::cancel, remainingNanos(), TimeUnit.NANOSECONDS);
        try {
            return servers.read();
        } catch (PagedGet.PagingException e) {
            if (remainingNanos() <= 0) {
                throw new PagedGet.PagingException(
                        MirrorServers.PATH + " was not read whole within the discover deadline of "
                                + Units.duration(deadline) + " (--deadline): " + e.getMessage(),
                        e);
            }
            throw e;
        } finally {
            cancel.cancel(false);
        }
    }

    /** The members of each of {@code servers}, asked at once, in {@code servers}' order. */
    public List<Farm> farms(List<MirrorServers.MirrorServer> servers) {
        List<FarmNodesProbe> probes = new ArrayList<>();
        List<Future<Farm>> answers = new ArrayList<>();
        for (MirrorServers.MirrorServer server : servers) {
            String name = "mirror " + ServerText.shown(server.name() == null ? server.id() : server.name());
            URI url;
            try {
                url = ConfigLoader.serverUrl(server.baseUrl() == null ? "" : server.baseUrl(), "its baseUrl");
            } catch (IllegalArgumentException e) {
                probes.add(null);
                answers.add(java.util.concurrent.CompletableFuture.completedFuture(
                        new Farm(server, null, name + ": " + e.getMessage() + "; " + NOT_LISTED)));
                continue;
            }
            if (primary.auth() != Auth.NONE && ConfigLoader.isClearTextToAnotherHost(url)) {
                log.warn(
                        "{}: its baseUrl {} is plain http to another host, so the credentials cross the network in"
                                + " clear; use https",
                        name,
                        url);
            }
            FarmNodesProbe probe = fetcher.farmNodesProbe(
                    new FarmvetConfig.Server(name, url, primary.auth() == null ? Auth.NONE : primary.auth()),
                    credentials,
                    NOT_LISTED);
            probes.add(probe);
            answers.add(asks.submit(() -> farm(server, probe.ask(), name, url)));
        }
        List<Farm> farms = new ArrayList<>();
        for (int i = 0; i < answers.size(); i++) {
            MirrorServers.MirrorServer server = servers.get(i);
            try {
                farms.add(answers.get(i).get(Math.max(0, remainingNanos()), TimeUnit.NANOSECONDS));
            } catch (TimeoutException e) {
                probes.get(i).cancel();
                farms.add(new Farm(
                        server,
                        null,
                        "mirror " + ServerText.shown(server.name()) + ": " + ServerText.shown(server.baseUrl()) + "/"
                                + FarmNodesProbe.PATH + " did not answer within the discover deadline of "
                                + Units.duration(deadline) + " (--deadline); " + NOT_LISTED
                                + ": is the farm up, and reachable from here?"));
            } catch (ExecutionException e) {
                farms.add(new Farm(server, null, "mirror " + ServerText.shown(server.name()) + ": " + e.getCause()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                farms.add(new Farm(server, null, "mirror " + ServerText.shown(server.name()) + ": interrupted"));
            }
        }
        return farms;
    }

    private static Farm farm(MirrorServers.MirrorServer server, FarmNodesProbe.Answer answer, String name, URI url) {
        if (answer.members() == null && answer.note() == null) {
            // 404: no farmNodes there (a mirror before farms, or not a Bitbucket mirror).
            return new Farm(
                    server,
                    null,
                    name + ": " + url + "/" + FarmNodesProbe.PATH + " answered 404, so it is not a Bitbucket mirror"
                            + " farm (a version before farms?); " + NOT_LISTED);
        }
        return new Farm(server, answer.members(), answer.note());
    }

    private long remainingNanos() {
        return endNanos - System.nanoTime();
    }

    @Override
    public void close() {
        asks.shutdownNow();
        timer.shutdownNow();
    }
}
