package io.agentrelay.tools.bench;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import org.HdrHistogram.Histogram;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code relay bench load}: many WebSocket clients against one endpoint, measured. */
@Command(name = "load", mixinStandardHelpOptions = true,
    description = {"Opens WebSocket clients (canonical protocol) against one endpoint, lets each follow a channel, "
        + "and measures delivered events, latency, gaps and repeats; optionally commands, heartbeats and a resume "
        + "storm. Prints a table; --json and --hgrm write the figures and latency distributions."})
final class LoadCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--url", defaultValue = "ws://127.0.0.1:8080/ws", description = "Endpoint (${DEFAULT-VALUE}).")
    URI url;

    @Option(names = "--label", defaultValue = "relay", description = "Name of the target in the report.")
    String label;

    @Option(names = "--tag", defaultValue = "", description = "The run's step in its scenario, e.g. rate=10; "
        + "runs with the same tag are compared in the report.")
    String tag;

    @Option(names = "--connections", defaultValue = "100", description = "Clients (${DEFAULT-VALUE}).")
    int connections;

    @Option(names = "--channel", paramLabel = "PATTERN",
        description = "Channel each client follows; {i} is the client's number modulo --channels, "
            + "e.g. workflow:bench-{i}. None: clients follow nothing.")
    String channel;

    @Option(names = "--channels", defaultValue = "1", description = "Distinct channels for {i} (${DEFAULT-VALUE}).")
    int channels;

    @Option(names = "--connect-rate", defaultValue = "0",
        description = "New connections a second; 0 for as fast as they complete (${DEFAULT-VALUE}).")
    int connectRate;

    @Option(names = "--pending", defaultValue = "500", description = "Connections opening at once (${DEFAULT-VALUE}).")
    int pending;

    @Option(names = "--sources", defaultValue = "0",
        description = "Loopback source addresses to spread over; 0 for one per 10,000 clients.")
    int sources;

    @Option(names = "--first-source", defaultValue = "127.0.1.1", description = "First source address.")
    String firstSource;

    @Option(names = "--threads", defaultValue = "1", description = "Event-loop threads (${DEFAULT-VALUE}).")
    int threads;

    @Option(names = "--warmup", defaultValue = "5", paramLabel = "SECONDS", description = "Before measuring.")
    int warmup;

    @Option(names = "--duration", defaultValue = "20", paramLabel = "SECONDS", description = "Measured time.")
    int duration;

    @Option(names = "--command-rate", defaultValue = "0",
        description = "Workflows started a second (one echo node each), spread over the clients.")
    double commandRate;

    @Option(names = "--resume-at", paramLabel = "SECONDS",
        description = "Into the measurement, every client drops its socket and resumes after its last event.")
    Integer resumeAt;

    @Option(names = "--abrupt-drop", description = "In the resume storm, drop each socket with a TCP reset and no "
        + "close frame, as a network failure or a killed process would; by default each client sends a close frame.")
    boolean abruptDrop;

    @Option(names = "--ping-every", paramLabel = "SECONDS", description = "Each client sends ping this often.")
    Integer pingEvery;

    @Option(names = "--floor", description = "Meanwhile, measure the two Kafka hops under a workflow's first event "
        + "(a plain command hop, a transactional event hop, read_committed) on the same broker, one sample after "
        + "another, and set the run's figures against them.")
    boolean floor;

    @Option(names = "--floor-pause", defaultValue = "100", paramLabel = "MILLIS",
        description = "Between two floor samples (${DEFAULT-VALUE}).")
    int floorPause;

    @CommandLine.Mixin
    KafkaOptions kafka;

    @Option(names = "--metrics", paramLabel = "URL", description = "A /metrics endpoint (relay, executor), "
        + "scraped when the measurement starts and ends for the time per stage; repeat for each.")
    List<URI> metrics;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the figures as JSON.")
    Path json;

    @Option(names = "--hgrm", paramLabel = "FILE",
        description = "Write the event latency distribution (HdrHistogram percentiles, ms); command latency and "
            + "the storm's time to live again go beside it, named .commands and .storm before the extension, and "
            + "the floor's event hop as .floor.")
    Path hgrm;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        LoadPlan plan;
        try {
            plan = new LoadPlan(label, url, connections, channel, channels, connectRate, pending,
                sources > 0 ? sources : (connections + 9_999) / 10_000, firstSource, threads,
                Duration.ofSeconds(warmup), Duration.ofSeconds(duration), commandRate,
                resumeAt == null ? null : Duration.ofSeconds(resumeAt), abruptDrop,
                pingEvery == null ? null : Duration.ofSeconds(pingEvery));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
        }
        warnAboutFileLimit(err);
        LoadReport report;
        FloorFigures floorFigures = floor ? new FloorFigures() : null;
        AtomicBoolean measuring = new AtomicBoolean();
        AtomicBoolean stop = new AtomicBoolean();
        // The floor's instruments reach Kafka before any client opens: a broker that does not answer ends the run
        // here, saying so, rather than after the clients' warm-up or with a floor measured on nothing.
        PublishedHop published;
        TwoHopFloor twoHops;
        try {
            // An event run's floor is also taken on its own records: what the relay's figure holds before the relay.
            published = floor && channel != null && commandRate == 0
                ? new PublishedHop(kafka, channelNames(), measuring) : null;
        } catch (IllegalStateException e) {
            return floorFailed(err, e);
        }
        try {
            twoHops = floor ? new TwoHopFloor(kafka) : null;
        } catch (Exception e) {
            if (published != null) {
                published.close();
            }
            return floorFailed(err, e);
        }
        Thread sampler = floor ? sampleFloor(twoHops, floorFigures, measuring, stop) : null;
        AtomicReference<StageWindow> stages = new AtomicReference<>();
        try (published; LoadGenerator generator = new LoadGenerator(plan, err)) {
            report = generator.run(() -> {
                if (metrics != null) {
                    stages.set(openStages(err));
                }
                measuring.set(true);
            });
            // The clients' window has closed: the floor's samples end with it, not once the clients are closed.
            measuring.set(false);
        } finally {
            stop.set(true);
            if (sampler != null) {
                sampler.join();
            }
        }
        PrintWriter out = spec.commandLine().getOut();
        report.print(out);
        if (published != null) {
            floorFigures.published(published.latency());
        }
        if (floorFigures != null) {
            printAgainstFloor(out, report, floorFigures);
        }
        if (stages.get() != null) {
            try {
                stages.get().print(out, label + (tag.isEmpty() ? "" : " " + tag), report.toJson());
            } catch (UncheckedIOException e) {
                err.println("per stage: not measured, the scrape at the end failed: " + e.getCause().getMessage());
            }
        }
        out.printf("  %-20s relay %s%n", "command", String.join(" ", spec.root().commandLine()
            .getParseResult().originalArgs()));
        out.flush();
        if (json != null) {
            ObjectNode root = report.toJson().put("tag", tag);
            if (floorFigures != null) {
                floorFigures.addTo(root);
            }
            Files.write(json, Json.toBytes(root));
        }
        if (hgrm != null) {
            report.writeDistributions(hgrm);
            if (floorFigures != null) {
                LoadReport.write(floorFigures.eventHop(), LoadReport.beside(hgrm, "floor"));
            }
        }
        return 0;
    }

    /**
     * Samples the two-hop floor until {@code stop}, on topics of its own on the same broker, and keeps the samples
     * taken while {@code measuring}: the floor under the same load as the run, at a few samples a second.
     */
    private Thread sampleFloor(TwoHopFloor twoHops, FloorFigures figures, AtomicBoolean measuring,
                               AtomicBoolean stop) {
        Thread sampler = new Thread(() -> {
            try (twoHops) {
                while (!stop.get()) {
                    TwoHopFloor.Hops hops = twoHops.sample();
                    if (measuring.get()) {
                        figures.record(hops);
                    }
                    Thread.sleep(floorPause);
                }
            } catch (Exception e) {
                spec.commandLine().getErr().println("The floor could not be measured: " + e);
            }
        }, "floor-sampler");
        sampler.start();
        return sampler;
    }

    /**
     * Scrapes the histograms at the start of the window. A server too busy to answer its {@code /metrics} in time
     * (the relay serves HTTP on the I/O threads that write the fan-out) loses the per-stage table, not the run.
     */
    private StageWindow openStages(PrintWriter err) {
        try {
            return StageWindow.open(metrics);
        } catch (UncheckedIOException e) {
            err.println("per stage: not measured, the scrape at the start failed: " + e.getCause().getMessage());
            err.flush();
            return null;
        }
    }

    /** Exit code 1, as the CLI's other commands when Kafka cannot be reached. */
    private static int floorFailed(PrintWriter err, Exception e) {
        err.println("The floor cannot be measured: " + (e.getMessage() != null ? e.getMessage() : e));
        err.flush();
        return 1;
    }

    private static void printAgainstFloor(PrintWriter out, LoadReport report, FloorFigures floor) {
        Map<String, Histogram> workflows = report.workflowFigures();
        if (workflows.get("first event").getTotalCount() > 0) {
            floor.print(out, workflows);
            FloorFigures.completedOverFirstEvent(out, workflows.get("completed"), workflows.get("first event"));
        } else {
            floor.print(out, Map.of("event latency", report.eventLatency()));
            floor.printOver(out, "event latency", report.eventLatency());
        }
    }

    /** The channels the clients follow: {@code --channel} with {i} from 0 to {@code --channels} - 1. */
    private Set<String> channelNames() {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < channels; i++) {
            names.add(channel.replace("{i}", Integer.toString(i)));
        }
        return Set.copyOf(names);
    }

    /** Each client is one file descriptor: say so before the run fails halfway at the process's limit. */
    private void warnAboutFileLimit(PrintWriter err) {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
            instanceof com.sun.management.UnixOperatingSystemMXBean os
            && os.getMaxFileDescriptorCount() < connections + 100L) {
            err.printf("Warning: this process may open %d files and %d clients need about %d; split the load over "
                + "several processes (or raise ulimit -n).%n", os.getMaxFileDescriptorCount(), connections,
                connections + 100L);
            err.flush();
        }
    }
}
