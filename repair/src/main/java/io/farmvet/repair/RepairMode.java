package io.farmvet.repair;

import java.util.Locale;

/** {@code repair.mode}: which {@link io.farmvet.repair.send.RepairAdapter} turns a target into a request. */
public enum RepairMode {
    /** Report only: nothing is ever sent. The default, so that repairing is always an operator's choice. */
    NONE,
    /** A templated request to the operator's own automation ({@code repair.http.*}). */
    HTTP,
    /** farmvet's own node agent: {@code POST {nodeUrl}/rest/farmvet/1/resync}. */
    AGENT;

    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode with this wire name; the message names the key and the accepted values. */
    public static RepairMode fromWireName(String text) {
        for (RepairMode mode : values()) {
            if (mode.wireName().equals(text)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("repair.mode: must be one of none, http, agent, was '" + text + "'");
    }

    @Override
    public String toString() {
        return wireName();
    }
}
