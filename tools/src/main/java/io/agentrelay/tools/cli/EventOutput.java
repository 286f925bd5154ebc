package io.agentrelay.tools.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.query.EventQuery;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * How {@code replay} and {@code tail} print events: one JSON line each (with its channel as {@code room} and its
 * position as {@code pos}), or a table row; which events they keep; when they stop; and a progress line on standard
 * error every few seconds of a long read.
 */
final class EventOutput {

    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final String ROW = "%-30s  %-28s  %-20s  %s";

    /** Output formats. */
    enum Format { JSON, TABLE }

    @Option(names = "--event", paramLabel = "PATTERN",
        description = "Keep only events whose name matches, * for any run of characters (e.g. 'workflow.fail*'); "
            + "repeat or separate with commas for several.")
    List<String> events = List.of();

    @Option(names = "--where", paramLabel = "data.FIELD=VALUE",
        description = "Keep only events whose data field has this value (e.g. data.tool=read_file); repeat for all "
            + "of several.")
    List<String> where = List.of();

    @Option(names = "--max-events", paramLabel = "N", description = "Stop after N events (default: no limit).")
    long maxEvents = Long.MAX_VALUE;

    @Option(names = "--format", paramLabel = "FORMAT",
        description = "json (one event per line, the default) or table.")
    Format format = Format.JSON;

    private PrintWriter out;
    private PrintWriter err;
    private long printed;
    private long lastReport;

    /** The query the options describe. */
    EventQuery query(CommandLine commandLine) {
        try {
            return EventQuery.parse(events, where);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(commandLine, "--where: " + e.getMessage());
        }
    }

    void start(PrintWriter out, PrintWriter err) {
        this.out = out;
        this.err = err;
        if (format == Format.TABLE) {
            out.println(String.format(ROW, "TIME", "CHANNEL", "EVENT", "DATA"));
        }
    }

    /** Whether enough events were printed. */
    boolean full() {
        return printed >= maxEvents;
    }

    long printed() {
        return printed;
    }

    /**
     * Prints an event, unless enough were.
     *
     * @return whether to go on
     */
    synchronized boolean print(Envelope event) {
        if (full()) {
            return false;
        }
        if (printed == 0) {
            // Progress counts from the first event: connecting is not reading.
            lastReport = System.nanoTime();
        }
        if (format == Format.TABLE) {
            out.println(String.format(ROW, event.timestamp(), Table.cell(event.room()),
                Table.cell(event.event()), Table.cell(Json.toText(event.data()))));
        } else {
            out.println(Json.toText(event));
        }
        out.flush();
        printed++;
        progress(event);
        return !full();
    }

    /** Notes an event read but not printed (a tail's own filter), for the progress line. */
    synchronized void progress(Envelope event) {
        if (System.nanoTime() - lastReport > PROGRESS_EVERY_NANOS) {
            err.printf("… %d events printed, reading %s%n", printed, event.timestamp());
            err.flush();
            lastReport = System.nanoTime();
        }
    }
}
