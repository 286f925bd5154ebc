package io.agentrelay.tools.cli;

import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Envelope;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.query.EventQuery;
import io.agentrelay.common.query.ReadScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code relay inspect workflow:<id>}: a workflow's story from its events, as a table or JSON: each node's attempts
 * with their executor, times, trace id and result or error; hand-overs between executors; gaps; the final status;
 * then its last recorded state (the snapshot, which compaction keeps after retention deleted the events) and where
 * the two disagree.
 */
@Command(name = "inspect", mixinStandardHelpOptions = true,
    description = "Tell a workflow's story from its events: nodes, attempts, executors, hand-overs, gaps, trace ids, "
        + "status; beside its last snapshot (through a relay: get_workflow_status), saying where they disagree; "
        + "straight from Kafka, or through a relay with --url.")
final class InspectCommand implements Callable<Integer> {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", paramLabel = "CHANNEL", description = "The workflow's channel, such as workflow:wf-1.")
    String channelName;

    @Option(names = "--from", paramLabel = "TIME",
        description = "Read its events from this time: -1h, -2d, ISO-8601 (default: all that Kafka keeps).")
    String from;

    @Option(names = "--json", description = "Print the timeline as JSON, for tools.")
    boolean json;

    @Mixin
    SourceOptions source;

    @Override
    public Integer call() throws JsonProcessingException {
        CommandLine commandLine = spec.commandLine();
        PrintWriter out = commandLine.getOut();
        PrintWriter err = commandLine.getErr();
        if (!(SourceOptions.scope(commandLine, channelName) instanceof ReadScope.OneChannel one)
            || one.channel().namespace() != Namespace.WORKFLOW) {
            throw new CommandLine.ParameterException(commandLine, "inspect tells one workflow's story: name its "
                + "channel, such as workflow:wf-1 (relay find lists workflows)");
        }
        Instant now = Instant.now();
        Instant start = from == null ? Instant.EPOCH : SourceOptions.time(commandLine, "--from", from, now);
        List<Event> events = new ArrayList<>();
        HistorySource history = source.source();
        try {
            history.read(one, start, now, EventQuery.ALL, frame -> events.add(event(frame)));
        } catch (HistorySource.SourceException e) {
            err.println(e.getMessage());
            return e.exitCode();
        }
        Optional<WorkflowState> state = lastState(history, one.channel().id(), err);
        if (events.isEmpty() && state.isEmpty()) {
            err.println("no events of " + one.name() + " since " + start
                + ": it never ran, or retention deleted its events");
            return RelayCli.NOT_FOUND;
        }
        ObjectNode story;
        if (events.isEmpty()) {
            // Retention deleted the events; the compacted snapshot is all that is left.
            story = Json.object().put("workflow_id", one.channel().id()).put("events", 0);
            story.put("events_cut", true);
        } else {
            WorkflowTimeline timeline = WorkflowTimeline.of(one.channel().id(), events);
            story = (ObjectNode) Json.tree(timeline);
            story.put("events_cut", "unknown".equals(timeline.status()));
            story.set("disagreements", Json.tree(state.map(last -> last.disagreements(timeline)).orElse(List.of())));
            if (!json) {
                print(timeline, out);
            }
        }
        state.ifPresent(last -> story.set("snapshot", Json.tree(last)));
        if (json) {
            out.println(Json.writer().withDefaultPrettyPrinter().writeValueAsString(story));
        } else {
            printState(one, start, story, state, out);
        }
        out.flush();
        return 0;
    }

    /** The workflow's last recorded state; when it cannot be read, the events' story is still worth telling. */
    private static Optional<WorkflowState> lastState(HistorySource history, String workflowId, PrintWriter err) {
        try {
            return history.workflowState(workflowId);
        } catch (HistorySource.SourceException e) {
            err.println("warning: no snapshot to compare with: " + e.getMessage());
            return Optional.empty();
        }
    }

    /** The snapshot's side of the story, and where it and the events part. */
    private static void printState(ReadScope.OneChannel one, Instant start, ObjectNode story,
                                   Optional<WorkflowState> state, PrintWriter out) {
        if (story.path("events").asInt() == 0) {
            out.printf("no events of %s since %s: retention deleted them, or --from is after them%n", one.name(),
                start);
        } else if (story.path("events_cut").asBoolean() && state.isPresent()) {
            out.printf(start.equals(Instant.EPOCH)
                ? "%nthe events start after the workflow did (retention deleted the first): the snapshot tells its end%n"
                : "%nthe events since --from " + start + " start after the workflow did (without --from, all that "
                    + "Kafka keeps is read): the snapshot tells its end%n");
        }
        if (state.isEmpty()) {
            return;
        }
        WorkflowState last = state.get();
        out.printf("%nlast state (%s): %s%s%n", last.source(), last.status(),
            last.error() == null ? "" : ", error: " + last.error());
        StringBuilder nodes = new StringBuilder();
        last.nodes().forEach((node, nodeState) -> nodes.append(nodes.isEmpty() ? "" : ", ").append(node)
            .append(' ').append(nodeState));
        out.printf("  nodes: %s%n", nodes.isEmpty() ? "-" : nodes);
        JsonNode disagreements = story.path("disagreements");
        if (disagreements.isEmpty()) {
            out.println(story.path("events").asInt() == 0 ? "" : "  agrees with the events");
        } else {
            disagreements.forEach(disagreement -> out.printf("  DISAGREES: %s%n", disagreement.asText()));
        }
    }

    /** An event as the timeline reads it, from the frame a relay or the Kafka reader made of it. */
    static Event event(Envelope frame) {
        return new Event(frame.id(), Channel.Scoped.parseScoped(frame.room()), frame.event(), frame.data(),
            frame.timestamp(), frame.correlationId(), null);
    }

    private static void print(WorkflowTimeline timeline, PrintWriter out) {
        Instant origin = timeline.startedAt() != null ? timeline.startedAt()
            : timeline.nodes().stream().flatMap(node -> node.attempts().stream()).map(WorkflowTimeline.Attempt::start)
                .min(Instant::compareTo).orElse(null);
        out.printf("workflow %s: %s%s%n", timeline.workflowId(), timeline.status(),
            timeline.durationMs() == null ? "" : " after " + Table.duration(timeline.durationMs()));
        out.printf("started %s, ended %s, %d events%n", Table.cell(timeline.startedAt()),
            Table.cell(timeline.endedAt()), timeline.events());
        if (timeline.error() != null) {
            out.printf("error: %s%n", timeline.error());
        }
        out.printf("trace ids: %s%n%n", timeline.traceIds().isEmpty() ? "-" : String.join(", ", timeline.traceIds()));
        Table nodes = new Table("NODE", "TOOL", "ATTEMPT", "EXECUTOR", "START", "DURATION", "OUTCOME", "TRACE",
            "RESULT / ERROR");
        for (WorkflowTimeline.NodeRun node : timeline.nodes()) {
            if (node.attempts().isEmpty()) {
                nodes.row(node.nodeId(), node.tool(), "-", "-", "-", "-", "never ran", "-", "-");
            }
            for (WorkflowTimeline.Attempt attempt : node.attempts()) {
                nodes.row(node.nodeId(), node.tool(), attempt.attempt(), attempt.executor(),
                    offset(origin, attempt.start()), Table.duration(attempt.durationMs()), attempt.outcome(),
                    attempt.traceId() == null ? null : attempt.traceId().substring(0, 8) + "…",
                    attempt.error() != null ? attempt.error() : attempt.result() == null ? null
                        : Json.toText(attempt.result()));
            }
        }
        nodes.print(out);
        if (!timeline.handovers().isEmpty()) {
            out.println();
            out.println("hand-overs:");
            timeline.handovers().forEach(handover -> out.printf("  %s  %s -> %s, starting %s, after %s without "
                + "events%n", offset(origin, handover.at()), handover.from(), handover.to(), handover.nodeId(),
                Table.duration(handover.gapMs())));
        }
        if (!timeline.gaps().isEmpty()) {
            out.println();
            out.println("gaps of " + Table.duration(WorkflowTimeline.GAP.toMillis()) + " or more:");
            timeline.gaps().forEach(gap -> out.printf("  %s  %s between %s and %s%n", offset(origin, gap.from()),
                Table.duration(gap.ms()), gap.before(), gap.after()));
        }
    }

    /** A moment as an offset from the workflow's start, such as +1.2s. */
    private static String offset(Instant origin, Instant at) {
        if (origin == null || at == null) {
            return Table.cell(at);
        }
        long ms = Duration.between(origin, at).toMillis();
        return (ms < 0 ? "-" : "+") + Table.duration(Math.abs(ms));
    }
}
