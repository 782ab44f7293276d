package io.farmvet.cli;

/** The exit codes every {@code farmvet} command keeps to; the README and each command's help list them. */
final class ExitCodes {
    static final int CONSISTENT = 0;
    static final int INCONSISTENT = 1;
    static final int NOT_VETTED = 2;
    static final int USAGE = 3;

    private ExitCodes() {}
}
