package io.agentrelay.tools.bench;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code relay bench report}: one Markdown table from the JSON figures of a scenario's runs, with the relay's figures
 * set against the baselines measured in the same run (runs with the same tag are compared), and a data file for
 * plotting delivered events per target and tag.
 */
@Command(name = "report", mixinStandardHelpOptions = true,
    description = "Prints a Markdown table of load runs (their --json files) with ratios to the baselines.")
final class ReportCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "JSON figures written by 'bench load --json' or 'bench floor'.")
    List<Path> files;

    @Option(names = "--subject", defaultValue = "relay", description = "The label compared with the others.")
    String subject;

    @Option(names = "--dat", paramLabel = "FILE", description = "Write tag, label, events/s, p99 ms for plots.")
    Path dat;

    @Option(names = "--out", paramLabel = "FILE", description = "Also write the table to this file.")
    Path out;

    @Override
    public Integer call() throws Exception {
        List<JsonNode> runs = new ArrayList<>();
        for (Path file : files) {
            runs.add(Json.readTree(Files.readAllBytes(file)));
        }
        runs.sort(Comparator.comparing((JsonNode run) -> run.path("tag").asText().replaceAll("[0-9.]+$", ""))
            .thenComparingDouble(run -> number(run.path("tag").asText())));
        Optional<JsonNode> floor = runs.stream().filter(run -> run.path("label").asText().equals("kafka floor"))
            .findFirst();
        StringBuilder table = new StringBuilder();
        table.append("| step | target | clients | events/s delivered | p50 ms | p99 ms | p99.9 ms | max ms | "
            + "missing | repeated | closes | vs. ").append(subject).append(" |\n");
        table.append("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|---|\n");
        Map<String, JsonNode> subjects = new LinkedHashMap<>();
        runs.stream().filter(run -> run.path("label").asText().equals(subject))
            .forEach(run -> subjects.put(run.path("tag").asText(), run));
        StringBuilder data = new StringBuilder("# tag label events_per_second p99_ms\n");
        for (JsonNode run : runs) {
            JsonNode latency = latency(run);
            String label = run.path("label").asText();
            String tag = run.path("tag").asText("");
            table.append(String.format("| %s | %s | %s | %,.0f | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                tag, label, run.path("connections").asText("-"), run.path("events_per_second").asDouble(),
                latency.path("p50").asText("-"), latency.path("p99").asText("-"), latency.path("p999").asText("-"),
                latency.path("max").asText("-"), run.path("missing").asText("-"), run.path("duplicates").asText("-"),
                run.path("closes").isObject() && run.path("closes").size() > 0 ? run.path("closes").toString() : "-",
                comparison(run, subjects.get(tag), floor.orElse(null))));
            data.append(String.format("\"%s\" \"%s\" %.0f %s%n", tag, label, run.path("events_per_second")
                .asDouble(), latency.path("p99").asText("0")));
        }
        PrintWriter printer = spec.commandLine().getOut();
        printer.print(table);
        printer.flush();
        if (out != null) {
            Files.writeString(out, table);
        }
        if (dat != null) {
            Files.writeString(dat, data);
        }
        return 0;
    }

    /** Event latency, or command latency for runs that only sent commands. */
    private static JsonNode latency(JsonNode run) {
        return run.path("event_latency_ms").path("count").asLong() == 0 && run.path("commands_sent").asLong() > 0
            ? run.path("command_latency_ms") : run.path("event_latency_ms");
    }

    /** The number a tag ends with ({@code rate=10}: 10), so that steps sort by it. */
    private static double number(String tag) {
        java.util.regex.Matcher matcher = java.util.regex.Pattern.compile("([0-9.]+)$").matcher(tag);
        return matcher.find() ? Double.parseDouble(matcher.group(1)) : 0;
    }

    /**
     * For the subject measured with its own floor ({@code load --floor}): a workflow run's first event as a multiple
     * of the two-hop floor, an event run's latency over its own records read straight from Kafka (or, without them,
     * the floor's transactional event hop).
     * Otherwise, for the subject: its p99 over the Kafka floor's (runs tagged {@code hop…}: few subscribers, the floor's rate),
     * or, for command runs, over two floor hops. For the others: the subject's delivered rate as a share of theirs.
     */
    private String comparison(JsonNode run, JsonNode subjectRun, JsonNode floor) {
        String label = run.path("label").asText();
        if (label.equals(subject) && run.has("floor_ms")) {
            JsonNode latency = latency(run);
            if (latency != run.path("event_latency_ms")) {
                JsonNode twoHops = run.path("floor_ms");
                return String.format("first event p50 %.2f×, p99 %.2f× the two-hop floor (%s / %s ms)",
                    latency.path("p50").asDouble() / twoHops.path("p50").asDouble(),
                    latency.path("p99").asDouble() / twoHops.path("p99").asDouble(),
                    twoHops.path("p50").asText(), twoHops.path("p99").asText());
            }
            boolean sameRecords = run.has("floor_same_records_ms");
            JsonNode eventHop = run.path(sameRecords ? "floor_same_records_ms" : "floor_event_hop_ms");
            return String.format("p50 %+.2f, p99 %+.2f ms over %s (%s / %s ms)",
                latency.path("p50").asDouble() - eventHop.path("p50").asDouble(),
                latency.path("p99").asDouble() - eventHop.path("p99").asDouble(),
                sameRecords ? "the same records read from Kafka" : "the transactional event hop",
                eventHop.path("p50").asText(), eventHop.path("p99").asText());
        }
        if (label.equals(subject)) {
            if (floor == null) {
                return "-";
            }
            double floorP99 = floor.path("event_latency_ms").path("p99").asDouble();
            if (latency(run) != run.path("event_latency_ms")) {
                return String.format("commands: p99 %+.2f ms over two floor hops",
                    latency(run).path("p99").asDouble() - 2 * floorP99);
            }
            if (!run.path("tag").asText().startsWith("hop")) {
                return "-";
            }
            return String.format("p99 %+.2f ms over the floor", latency(run).path("p99").asDouble() - floorP99);
        }
        if (subjectRun == null || label.equals("kafka floor") || run.path("events_per_second").asDouble() == 0) {
            return "-";
        }
        double ratio = subjectRun.path("events_per_second").asDouble() / run.path("events_per_second").asDouble();
        return String.format("%s delivers %.2f× this", subject, ratio);
    }
}
