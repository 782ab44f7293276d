package io.farmvet.daemon.hooks;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The {@code X-Request-Id}s of the last {@value #MAX_REMEMBERED} deliveries taken, so that a delivery Bitbucket
 * retries (it retries when an answer is slow) is done once. In memory: a restart forgets them, which at worst
 * records the same sync event twice and arms one more debounce; neither is harmful. Thread-safe.
 */
final class RepeatedDeliveries {
    /** Bitbucket retries within minutes; a farm's burst is one delivery per synced repository. */
    static final int MAX_REMEMBERED = 4096;

    private final Map<String, Boolean> seen = new LinkedHashMap<>(64, 0.75f, false) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > MAX_REMEMBERED;
        }
    };

    /** Whether {@code id} is new; it is remembered from now on. */
    synchronized boolean claim(String id) {
        return seen.put(id, Boolean.TRUE) == null;
    }

    /** Forgets {@code id}, when its delivery could not be taken after all, so that Bitbucket's retry is. */
    synchronized void release(String id) {
        seen.remove(id);
    }
}
