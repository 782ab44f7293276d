package io.farmvet.cli;

import io.farmvet.report.JsonReport;
import io.farmvet.report.TextReport;
import io.farmvet.vet.VetReport;
import java.io.IOException;
import java.io.PrintStream;

/** Writes a report as text or JSON to stdout and turns it into the exit code; shared by vet and diff. */
final class ReportOutput {
    private ReportOutput() {}

    static int print(VetReport report, boolean json, PrintStream out, PrintStream err) {
        return print(report, repoId -> null, json, out, err);
    }

    /** As {@link #print(VetReport, boolean, PrintStream, PrintStream)}, with each repository's last webhook event. */
    static int print(
            VetReport report,
            java.util.function.LongFunction<io.farmvet.report.SyncEvent> events,
            boolean json,
            PrintStream out,
            PrintStream err) {
        if (json) {
            try {
                JsonReport.write(report, events, out);
            } catch (IOException e) {
                err.println("farmvet: cannot write the report: " + e.getMessage());
                return ExitCodes.NOT_VETTED;
            }
        } else {
            TextReport.write(report, events, out);
        }
        return report.exitCode();
    }
}
