package io.agentrelay.tools.cli;

import java.io.PrintWriter;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import com.fasterxml.jackson.core.JsonProcessingException;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.query.EventQuery;
import io.agentrelay.common.query.ReadScope;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

/**
 * {@code relay find --status failed --since -1h}: the workflows that started or ended in a time range, read from
 * their start and end events in the log, with when, how long and why they failed.
 */
@Command(name = "find", mixinStandardHelpOptions = true,
    description = "List workflows by status and time, from the event log: id, status, start, duration, reason.")
final class FindCommand implements Callable<Integer> {

    /** The events that tell a workflow's status: the rest of its story is for inspect. */
    private static final EventQuery ENDS = new EventQuery(List.of("workflow.started", "workflow.completed",
        "workflow.failed", "workflow.cancelled"), Map.of());

    /** Statuses to find. */
    enum Status { ANY, RUNNING, COMPLETED, FAILED, CANCELLED }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--status", paramLabel = "STATUS",
        description = "failed, completed, cancelled, running or any (default: ${DEFAULT-VALUE}).", defaultValue = "any")
    Status status;

    @Option(names = "--since", paramLabel = "TIME", defaultValue = "-1h",
        description = "Workflows that started or ended since: -15m, -1h, -2d or ISO-8601 (default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "… and before this time (default: now).")
    String until;

    @Option(names = "--json", description = "One JSON object per workflow, for tools.")
    boolean json;

    @Mixin
    SourceOptions source;

    @Override
    public Integer call() throws JsonProcessingException {
        CommandLine commandLine = spec.commandLine();
        PrintWriter out = commandLine.getOut();
        PrintWriter err = commandLine.getErr();
        Instant now = Instant.now();
        Instant from = SourceOptions.time(commandLine, "--since", since, now);
        Instant to = until == null ? now : SourceOptions.time(commandLine, "--until", until, now);
        Map<String, List<Event>> byWorkflow = new LinkedHashMap<>();
        try {
            source.source().read(new ReadScope.WholeNamespace(Namespace.WORKFLOW), from, to, ENDS, frame -> {
                Event event = InspectCommand.event(frame);
                byWorkflow.computeIfAbsent(event.channel().id(), id -> new ArrayList<>()).add(event);
                return true;
            });
        } catch (HistorySource.SourceException e) {
            err.println(e.getMessage());
            return e.exitCode();
        }
        List<Found> found = new ArrayList<>();
        byWorkflow.forEach((id, events) -> {
            WorkflowTimeline timeline = WorkflowTimeline.of(id, events);
            if (status == Status.ANY || status.name().equalsIgnoreCase(timeline.status())) {
                found.add(Found.of(timeline));
            }
        });
        found.sort(Comparator.comparing(Found::startedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        if (json) {
            for (Found workflow : found) {
                out.println(Json.toText(workflow));
            }
        } else {
            Table table = new Table("WORKFLOW", "STATUS", "STARTED", "DURATION", "REASON");
            found.forEach(workflow -> table.row(workflow.workflowId(), workflow.status(), workflow.startedAt(),
                Table.duration(workflow.durationMs()), workflow.reason()));
            table.print(out);
        }
        out.flush();
        err.println(found.size() + " workflows " + (status == Status.ANY ? "" : status.name().toLowerCase() + " ")
            + "between " + from + " and " + to);
        return 0;
    }

    /**
     * One workflow found.
     *
     * @param workflowId its id
     * @param channel    its channel, for {@code relay inspect}
     * @param status     running, completed, failed or cancelled
     * @param startedAt  when it started (from its end and duration when it started before the range)
     * @param endedAt    when it ended, or null
     * @param durationMs how long it ran, or null while it runs
     * @param reason     why it failed or was cancelled, or null
     */
    record Found(String workflowId, String channel, String status, Instant startedAt, Instant endedAt,
                 Long durationMs, String reason) {

        static Found of(WorkflowTimeline timeline) {
            Instant started = timeline.startedAt() == null && timeline.endedAt() != null
                && timeline.durationMs() != null ? timeline.endedAt().minusMillis(timeline.durationMs())
                : timeline.startedAt();
            return new Found(timeline.workflowId(), Channel.of(Namespace.WORKFLOW, timeline.workflowId()).name(),
                timeline.status(), started, timeline.endedAt(), timeline.durationMs(), timeline.error());
        }
    }
}
