package io.agentrelay.tools.bench;

import java.io.PrintWriter;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;
import org.HdrHistogram.Histogram;

/**
 * The samples of the two-hop floor ({@link TwoHopFloor}) taken during a run, and the run's figures set against them:
 * each ratio is a figure's percentile over the floor's same percentile, both from the same run.
 */
final class FloorFigures {

    private final Histogram commandHop = histogram();
    private final Histogram eventHop = histogram();
    private final Histogram twoHops = histogram();
    /** The run's own events read straight from Kafka ({@link PublishedHop}); empty for other runs. */
    private Histogram published = histogram();

    synchronized void published(Histogram latency) {
        published = latency;
    }

    synchronized void record(TwoHopFloor.Hops hops) {
        commandHop.recordValue(micros(hops.commandNanos()));
        eventHop.recordValue(micros(hops.eventNanos()));
        twoHops.recordValue(micros(hops.totalNanos()));
    }

    /** The transactional event hop alone: the one a published event takes to the relay. */
    synchronized Histogram eventHop() {
        return eventHop.copy();
    }

    /** Both hops: a plain command hop, then a transactional event hop. */
    synchronized Histogram twoHops() {
        return twoHops.copy();
    }

    /**
     * Prints the floor's rows, then each figure's ratios to the two hops.
     *
     * @param figures the run's distributions by name, in the order to print them
     */
    synchronized void print(PrintWriter out, Map<String, Histogram> figures) {
        row(out, "floor: command hop", commandHop);
        row(out, "floor: event hop", eventHop);
        row(out, "floor: two hops", twoHops);
        figures.forEach((name, h) -> out.printf("  %-24s %s%n", name + " / floor", ratios(h, twoHops)));
    }

    /**
     * How much later a run's events arrived than its own records read straight from Kafka (when measured: the fair
     * comparison), than the floor's event hop, and than both hops, in ms.
     */
    synchronized void printOver(PrintWriter out, String name, Histogram h) {
        if (published.getTotalCount() > 0) {
            row(out, "floor: same records", published);
            out.printf("  %-24s %s%n", name + " - same records", over(h, published));
        }
        out.printf("  %-24s %s%n", name + " - event hop", over(h, eventHop));
        out.printf("  %-24s %s%n", name + " - two hops", over(h, twoHops));
    }

    private static String over(Histogram h, Histogram floor) {
        return String.format("p50 %+.2f  p90 %+.2f  p99 %+.2f ms", ms(h, 50) - ms(floor, 50),
            ms(h, 90) - ms(floor, 90), ms(h, 99) - ms(floor, 99));
    }

    synchronized void addTo(ObjectNode json) {
        json.set("floor_command_hop_ms", LoadReport.percentiles(commandHop));
        json.set("floor_event_hop_ms", LoadReport.percentiles(eventHop));
        json.set("floor_ms", LoadReport.percentiles(twoHops));
        if (published.getTotalCount() > 0) {
            json.set("floor_same_records_ms", LoadReport.percentiles(published));
        }
    }

    /** How much longer a workflow took to complete than to show its first event, at the median. */
    static void completedOverFirstEvent(PrintWriter out, Histogram completed, Histogram firstEvent) {
        out.printf("  %-24s p50 %.2f%n", "completed / first event", ms(completed, 50) / ms(firstEvent, 50));
    }

    static void row(PrintWriter out, String name, Histogram h) {
        out.printf("  %-24s p50 %8.2f  p90 %8.2f  p99 %8.2f  max %8.2f ms  (%d)%n", name, ms(h, 50), ms(h, 90),
            ms(h, 99), h.getMaxValue() / 1000.0, h.getTotalCount());
    }

    /** {@code h}'s p50, p90 and p99 each over the floor's. */
    static String ratios(Histogram h, Histogram floor) {
        return String.format("p50 %.2f  p90 %.2f  p99 %.2f", ms(h, 50) / ms(floor, 50), ms(h, 90) / ms(floor, 90),
            ms(h, 99) / ms(floor, 99));
    }

    static double ms(Histogram h, double percentile) {
        return h.getValueAtPercentile(percentile) / 1000.0;
    }

    static Histogram histogram() {
        return new Histogram(3_600_000_000L, 3);
    }

    static long micros(long nanos) {
        return Math.max(0, nanos / 1_000);
    }
}
