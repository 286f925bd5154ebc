package io.agentrelay.tools.cli;

import java.io.PrintWriter;
import java.time.Duration;
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
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * {@code relay find [workflows|sessions|panels] --status failed --since -1h}: what started, ended or changed in a time
 * range, read from the event log, with when, how long and why it failed. Workflows and sessions (which run as the
 * workflow of their id) from their start and end events; panels from their creation and changes.
 */
@Command(name = "find", mixinStandardHelpOptions = true,
    description = "List workflows, sessions or panels by status and time, from the event log: id, status, start, "
        + "duration, reason.")
final class FindCommand implements Callable<Integer> {

    /** The events that tell a workflow's status: the rest of its story is for inspect. */
    private static final EventQuery ENDS = new EventQuery(List.of("workflow.started", "workflow.completed",
        "workflow.failed", "workflow.cancelled"), Map.of());
    /** A panel's life: created, then changed. Its tools' failures are answered to their callers, not logged. */
    private static final EventQuery PANEL_CHANGES = new EventQuery(List.of("panel.created", "panel.patch"), Map.of());
    /** The adapter a session's workflow names in {@code workflow.started}. */
    private static final String SESSION_ADAPTER = "session";

    /** What to find. */
    enum Kind { WORKFLOWS, SESSIONS, PANELS }

    /** Statuses to find: workflows and sessions run, complete, fail or are cancelled; panels are active. */
    enum Status { ANY, RUNNING, COMPLETED, FAILED, CANCELLED, ACTIVE }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", paramLabel = "KIND", defaultValue = "workflows",
        description = "workflows (the default), sessions (POST /api/sessions, AgentCraft) or panels.")
    Kind kind;

    @Option(names = "--status", paramLabel = "STATUS", defaultValue = "any",
        description = "failed, completed, cancelled, running, active (panels) or any (default: ${DEFAULT-VALUE}).")
    Status status;

    @Option(names = "--since", paramLabel = "TIME", defaultValue = "-1h",
        description = "Those that started, ended or changed since: -15m, -1h, -2d or ISO-8601 "
            + "(default: ${DEFAULT-VALUE}).")
    String since;

    @Option(names = "--until", paramLabel = "TIME", description = "… and before this time (default: now).")
    String until;

    @Option(names = "--json", description = "One JSON object per entity found, for tools.")
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
        SourceOptions.inOrder(commandLine, "--since", from, "--until", to);
        Namespace namespace = kind == Kind.PANELS ? Namespace.PANEL : Namespace.WORKFLOW;
        Map<String, List<Event>> byEntity = new LinkedHashMap<>();
        try {
            source.source().read(new ReadScope.WholeNamespace(namespace), from, to,
                kind == Kind.PANELS ? PANEL_CHANGES : ENDS, frame -> {
                    Event event = InspectCommand.event(frame);
                    byEntity.computeIfAbsent(event.channel().id(), id -> new ArrayList<>()).add(event);
                    return true;
                });
        } catch (HistorySource.SourceException e) {
            err.println(e.getMessage());
            return e.exitCode();
        }
        List<Found> found = new ArrayList<>();
        byEntity.forEach((id, events) -> {
            Found entity = kind == Kind.PANELS ? Found.panel(id, events) : Found.of(WorkflowTimeline.of(id, events));
            if ((kind != Kind.SESSIONS || isSession(events))
                && (status == Status.ANY || status.name().equalsIgnoreCase(entity.status()))) {
                found.add(entity);
            }
        });
        found.sort(Comparator.comparing(Found::startedAt, Comparator.nullsFirst(Comparator.naturalOrder())));
        if (json) {
            for (Found entity : found) {
                out.println(Json.toText(entity));
            }
        } else {
            Table table = new Table(kind.name().substring(0, kind.name().length() - 1), "STATUS", "STARTED",
                "DURATION", "REASON");
            found.forEach(entity -> table.row(entity.id(), entity.status(), entity.startedAt(),
                Table.duration(entity.durationMs()), entity.reason()));
            table.print(out);
        }
        out.flush();
        err.println(found.size() + " " + kind.name().toLowerCase() + " "
            + (status == Status.ANY ? "" : status.name().toLowerCase() + " ") + "between " + from + " and " + to);
        if (kind == Kind.PANELS && status != Status.ANY && status != Status.ACTIVE) {
            err.println("panels are only ever active: a panel tool's failure is answered to its caller alone, "
                + "not kept in the panel's log");
        }
        return 0;
    }

    /** Whether a workflow's start says it runs a session; one that started before the range cannot tell. */
    private static boolean isSession(List<Event> events) {
        return events.stream().anyMatch(event -> "workflow.started".equals(event.event())
            && SESSION_ADAPTER.equals(event.data().path("adapter").asText()));
    }

    /**
     * One workflow, session or panel found.
     *
     * @param id         its id
     * @param channel    its channel, for {@code relay inspect} or {@code relay replay}
     * @param status     running, completed, failed or cancelled; active for a panel
     * @param startedAt  when it started (from its end and duration when it started before the range), or for a
     *                   panel when it was created, else first changed in the range
     * @param endedAt    when it ended, or null; for a panel, its last change in the range
     * @param durationMs how long it ran, or null while it runs; for a panel, from its first to its last change
     * @param reason     why it failed or was cancelled, or null
     */
    record Found(String id, String channel, String status, Instant startedAt, Instant endedAt, Long durationMs,
                 String reason) {

        static Found of(WorkflowTimeline timeline) {
            Instant started = timeline.startedAt() == null && timeline.endedAt() != null
                && timeline.durationMs() != null ? timeline.endedAt().minusMillis(timeline.durationMs())
                : timeline.startedAt();
            return new Found(timeline.workflowId(), Channel.of(Namespace.WORKFLOW, timeline.workflowId()).name(),
                timeline.status(), started, timeline.endedAt(), timeline.durationMs(), timeline.error());
        }

        /** A panel from its creation and changes in the range, in order. */
        static Found panel(String panelId, List<Event> events) {
            Instant first = events.get(0).ts();
            Instant last = events.get(events.size() - 1).ts();
            return new Found(panelId, Channel.of(Namespace.PANEL, panelId).name(), "active", first, last,
                Duration.between(first, last).toMillis(), null);
        }
    }
}
