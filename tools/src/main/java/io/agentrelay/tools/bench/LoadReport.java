package io.agentrelay.tools.bench;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import org.HdrHistogram.Histogram;

/** The figures of one load run: printed as a table, written as JSON, and the latency distributions for plots. */
final class LoadReport {

    private final LoadPlan plan;
    private final int opened;
    private final long openNanos;
    private final long stillOpen;
    private final long windowNanos;
    private final long delivered;
    private final long bytes;
    private final Histogram events;
    private final Histogram accepted;
    private final Histogram commands;
    private final Histogram completed;
    private final Histogram liveAgain;
    private final Tally tally;
    private final long resumeNanos;
    private final long cpuNanos;

    LoadReport(LoadPlan plan, int opened, long openNanos, long stillOpen, long windowNanos, long delivered, long bytes,
               Distributions distributions, Tally tally, long resumeNanos, long cpuNanos) {
        this.plan = plan;
        this.opened = opened;
        this.openNanos = openNanos;
        this.stillOpen = stillOpen;
        this.windowNanos = windowNanos;
        this.delivered = delivered;
        this.bytes = bytes;
        this.events = distributions.events();
        this.accepted = distributions.accepted();
        this.commands = distributions.commands();
        this.completed = distributions.completed();
        this.liveAgain = distributions.liveAgain();
        this.tally = tally;
        this.resumeNanos = resumeNanos;
        this.cpuNanos = cpuNanos;
    }

    /** Events delivered a second during the measurement, over every client. */
    double framesPerSecond() {
        return delivered / (windowNanos / 1e9);
    }

    /** The latencies of the workflows the clients started, by name: accepted, first event, completed. */
    Map<String, Histogram> workflowFigures() {
        Map<String, Histogram> figures = new LinkedHashMap<>();
        figures.put("accepted", accepted);
        figures.put("first event", commands);
        figures.put("completed", completed);
        return figures;
    }

    /** The latency of the events of the channels the clients follow. */
    Histogram eventLatency() {
        return events;
    }

    ObjectNode toJson() {
        ObjectNode root = Json.object()
            .put("label", plan.label())
            .put("url", plan.url().toString())
            .put("connections", plan.connections())
            .put("channels", plan.channel() == null ? 0 : plan.channels())
            .put("opened", opened)
            .put("open_seconds", round(openNanos / 1e9))
            .put("connects_per_second", round(opened / (openNanos / 1e9)))
            .put("open_at_end", stillOpen)
            .put("measured_seconds", round(windowNanos / 1e9))
            .put("events_delivered", delivered)
            .put("events_total", tally.events.sum())
            .put("events_per_second", round(framesPerSecond()))
            .put("megabytes_per_second", round(bytes / (windowNanos / 1e9) / 1e6))
            .put("missing", tally.missing.sum())
            .put("duplicates", tally.duplicates.sum())
            .put("connect_failures", tally.connectFailures.sum())
            .put("reconnects", tally.reconnects.sum())
            .put("pongs", tally.pongs.sum())
            .put("commands_sent", tally.commandsSent.sum())
            .put("commands_accepted", tally.commandsAccepted.sum())
            .put("commands_answered", tally.commandsAnswered.sum())
            .put("commands_completed", tally.commandsCompleted.sum())
            .put("generator_cpu_cores", cpuNanos < 0 ? -1 : round((double) cpuNanos / windowNanos));
        if (resumeNanos >= 0) {
            root.put("resume_storm_ms", TimeUnit.NANOSECONDS.toMillis(resumeNanos));
            root.set("live_again_ms", percentiles(liveAgain));
        }
        root.set("event_latency_ms", percentiles(events));
        root.set("accepted_ms", percentiles(accepted));
        root.set("command_latency_ms", percentiles(commands));
        root.set("completed_ms", percentiles(completed));
        ObjectNode errors = root.putObject("error_frames");
        tally.errors().forEach(errors::put);
        ObjectNode closes = root.putObject("closes");
        tally.closes().forEach((code, count) -> closes.put(code.toString(), count));
        return root;
    }

    void print(PrintWriter out) {
        out.printf("%n== %s: %s, %d clients%s ==%n", plan.label(), plan.url(), plan.connections(),
            plan.channel() == null ? "" : " on " + plan.channels() + " channel(s)");
        row(out, "opened", "%d of %d in %.1f s (%.0f/s), %d open at the end", opened, plan.connections(),
            openNanos / 1e9, opened / (openNanos / 1e9), stillOpen);
        row(out, "events delivered", "%d in %.1f s: %.0f/s, %.1f MB/s", delivered, windowNanos / 1e9,
            framesPerSecond(), bytes / (windowNanos / 1e9) / 1e6);
        row(out, "event latency ms", "%s", line(events));
        if (tally.commandsSent.sum() > 0) {
            row(out, "commands", "%d sent, %d accepted, %d with a first event, %d completed",
                tally.commandsSent.sum(), tally.commandsAccepted.sum(), tally.commandsAnswered.sum(),
                tally.commandsCompleted.sum());
            row(out, "accepted ms", "%s", line(accepted));
            row(out, "first event ms", "%s", line(commands));
            row(out, "completed ms", "%s", line(completed));
        }
        if (resumeNanos >= 0) {
            row(out, "resume storm", "%d clients live again after %d ms", plan.connections(),
                TimeUnit.NANOSECONDS.toMillis(resumeNanos));
            row(out, "live again ms", "%s", line(liveAgain));
        }
        if (tally.pongs.sum() > 0) {
            row(out, "heartbeats answered", "%d", tally.pongs.sum());
        }
        row(out, "missing / repeated", "%d / %d", tally.missing.sum(), tally.duplicates.sum());
        row(out, "errors / closes", "%s / %s, %d failed to open", tally.errors(), tally.closes(),
            tally.connectFailures.sum());
        row(out, "generator CPU", "%.2f cores", cpuNanos < 0 ? -1 : (double) cpuNanos / windowNanos);
    }

    /**
     * Writes the distributions, in HdrHistogram's percentile format, in milliseconds: event latency to {@code file},
     * and, when measured, command latency and the storm's time to live again beside it ({@code x.hgrm}:
     * {@code x.commands.hgrm}, {@code x.storm.hgrm}).
     */
    void writeDistributions(Path file) throws IOException {
        write(events, file);
        if (commands.getTotalCount() > 0) {
            write(commands, beside(file, "commands"));
        }
        if (liveAgain.getTotalCount() > 0) {
            write(liveAgain, beside(file, "storm"));
        }
    }

    static Path beside(Path file, String kind) {
        String name = file.getFileName().toString();
        int dot = name.lastIndexOf('.');
        return file.resolveSibling(dot < 0 ? name + "." + kind : name.substring(0, dot) + "." + kind
            + name.substring(dot));
    }

    /**
     * The latency distributions of a run.
     *
     * @param events    of the events of the channels the clients follow, from the time in the event
     * @param accepted  from {@code execute_workflow} to its {@code accepted} answer
     * @param commands  from {@code execute_workflow} to the workflow's first event
     * @param completed from {@code execute_workflow} to the workflow's end
     * @param liveAgain of each client in a resume storm, from the drop until it follows its channel again
     */
    record Distributions(Histogram events, Histogram accepted, Histogram commands, Histogram completed,
                         Histogram liveAgain) {
    }

    static void write(Histogram histogram, Path file) throws IOException {
        try (PrintStream out = new PrintStream(Files.newOutputStream(file), false, "UTF-8")) {
            histogram.outputPercentileDistribution(out, 1000.0);
        }
    }

    static ObjectNode percentiles(Histogram histogram) {
        ObjectNode node = Json.object().put("count", histogram.getTotalCount());
        if (histogram.getTotalCount() > 0) {
            node.put("p50", ms(histogram.getValueAtPercentile(50)));
            node.put("p90", ms(histogram.getValueAtPercentile(90)));
            node.put("p99", ms(histogram.getValueAtPercentile(99)));
            node.put("p999", ms(histogram.getValueAtPercentile(99.9)));
            node.put("max", ms(histogram.getMaxValue()));
            node.put("mean", round(histogram.getMean() / 1000.0));
        }
        return node;
    }

    static String line(Histogram h) {
        if (h.getTotalCount() == 0) {
            return "none";
        }
        return String.format("p50 %.2f  p90 %.2f  p99 %.2f  p99.9 %.2f  max %.2f  (%d samples)",
            ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(90)), ms(h.getValueAtPercentile(99)),
            ms(h.getValueAtPercentile(99.9)), ms(h.getMaxValue()), h.getTotalCount());
    }

    private static void row(PrintWriter out, String name, String format, Object... args) {
        out.printf("  %-20s %s%n", name, String.format(format, args));
    }

    private static double ms(long micros) {
        return round(micros / 1000.0);
    }

    private static double round(double value) {
        return Math.round(value * 1000.0) / 1000.0;
    }
}
