package io.farmvet.repair.send;

/**
 * How one request went after every attempt.
 *
 * @param answer the last answer ({@code HTTP 202}) or error ({@code I/O error: …}), secrets masked
 * @param detail for a failure, why it ended: the last answer and the reason it was not retried (further)
 */
public record SendResult(boolean accepted, int attempts, String answer, String detail) {}
