package io.farmvet.cli;

/** A command line that farmvet cannot act on; the message says what is wrong with it. */
final class UsageException extends Exception {
    UsageException(String message) {
        super(message);
    }
}
