package io.farmvet.grokmirror;

import io.farmvet.listing.EntryRejectedException;

/**
 * Receives a manifest one repository at a time from {@link ManifestReader}. A method may refuse what it sees by
 * throwing {@link EntryRejectedException}; the reader turns that into a {@link ManifestFormatException} carrying the
 * position in the manifest.
 */
public interface ManifestHandler {

    /** One repository; {@code entry} is valid only during this call. */
    void repository(ManifestEntry entry) throws EntryRejectedException;

    /** The manifest was read whole and well formed; called once, before {@link ManifestReader#read} returns. */
    default void end() throws EntryRejectedException {}
}
