package io.farmvet.listing;

/** What one read of a listing saw: counts, and the number of bytes the parser consumed. */
public record ListingSummary(long projects, long repositories, long bytes) {}
