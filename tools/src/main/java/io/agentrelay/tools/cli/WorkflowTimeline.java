package io.agentrelay.tools.cli;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.protocol.Event;

/**
 * A workflow's story told from its events: when it started and ended, each node's attempts (start, end, duration,
 * the executor that ran it, its trace id, its result or error), the hand-overs from one executor to another, and the
 * stretches in which nothing happened. What {@code relay inspect} prints and the console draws.
 *
 * @param workflowId the workflow's id
 * @param status     {@code running}, {@code completed}, {@code failed}, {@code cancelled}, or {@code unknown} when
 *                   its start is no longer in the log
 * @param startedAt  when it started, or null when unknown
 * @param endedAt    when it ended, or null while it runs
 * @param durationMs how long it ran, as its executor measured it, or null while it runs
 * @param error      why it failed or was cancelled, or null
 * @param failedNode the node whose failure failed it, or null
 * @param nodes      its nodes: those that ran, in the order they first started, then those that never did
 * @param handovers  each time another executor took the workflow over
 * @param gaps       stretches of at least {@link #GAP} between two of its events
 * @param traceIds   the trace ids its steps carried, in order of first use
 * @param events     how many events it was built from
 */
public record WorkflowTimeline(String workflowId, String status, Instant startedAt, Instant endedAt, Long durationMs,
                               String error, String failedNode, List<NodeRun> nodes, List<Handover> handovers,
                               List<Gap> gaps, List<String> traceIds, int events) {

    /** The shortest stretch without events that counts as a gap. */
    public static final Duration GAP = Duration.ofSeconds(1);

    /**
     * @param workflowId the workflow's id
     * @param events     its channel's events, in the order they were published
     * @return its timeline
     */
    public static WorkflowTimeline of(String workflowId, List<Event> events) {
        Builder builder = new Builder();
        events.forEach(builder::add);
        return builder.build(workflowId, events.size());
    }

    /**
     * One node of the workflow.
     *
     * @param nodeId   its id
     * @param tool     its tool
     * @param attempts its runs, the first first; empty when it never started
     */
    public record NodeRun(String nodeId, String tool, List<Attempt> attempts) {
    }

    /**
     * One run of a node.
     *
     * @param attempt    1, or more when a new owner ran it again
     * @param executor   the executor that ran it, or null when its events do not say
     * @param traceId    the trace id of its steps, or null when its events do not say
     * @param start      when it started
     * @param end        when it ended, or null when it has not, or its executor stopped first
     * @param durationMs how long it ran, or null without an end
     * @param outcome    {@code running}, {@code completed}, {@code failed}, or {@code interrupted} when its executor
     *                   stopped and another ran it again
     * @param error      why it failed, or null
     * @param result     what it returned, or null
     */
    public record Attempt(int attempt, String executor, String traceId, Instant start, Instant end, Long durationMs,
                          String outcome, String error, JsonNode result) {

        private Attempt ended(Instant at, String outcome, Long durationMs, String error, JsonNode result) {
            return new Attempt(attempt, executor, traceId, start, at, durationMs, outcome, error, result);
        }
    }

    /**
     * Another executor taking the workflow over.
     *
     * @param at     when the new executor started its first node
     * @param from   the executor that had it
     * @param to     the one that took it
     * @param nodeId the node it started
     * @param gapMs  how long nothing happened before, from the workflow's previous event
     */
    public record Handover(Instant at, String from, String to, String nodeId, long gapMs) {
    }

    /**
     * A stretch without events.
     *
     * @param from   the last event before it
     * @param to     the first event after it
     * @param ms     its length
     * @param before the name of the event before it
     * @param after  the name of the event after it
     */
    public record Gap(Instant from, Instant to, long ms, String before, String after) {
    }

    /** Reads a workflow's events one at a time, in publish order. */
    private static final class Builder {
        private final Map<String, String> tools = new LinkedHashMap<>();
        private final Map<String, List<Attempt>> attempts = new LinkedHashMap<>();
        private final List<Handover> handovers = new ArrayList<>();
        private final List<Gap> gaps = new ArrayList<>();
        private final Set<String> traceIds = new LinkedHashSet<>();
        private String status = "unknown";
        private Instant startedAt;
        private Instant endedAt;
        private Long durationMs;
        private String error;
        private String failedNode;
        private String executor;
        private Event previous;

        void add(Event event) {
            JsonNode data = event.data();
            if (previous != null && Duration.between(previous.ts(), event.ts()).compareTo(GAP) >= 0) {
                gaps.add(new Gap(previous.ts(), event.ts(), Duration.between(previous.ts(), event.ts()).toMillis(),
                    previous.event(), event.event()));
            }
            String trace = text(data, "trace_id");
            if (trace != null) {
                traceIds.add(trace);
            }
            switch (event.event()) {
                case "workflow.started" -> {
                    status = "running";
                    startedAt = event.ts();
                    executor = text(data, "worker_id");
                    data.path("nodes").forEach(node -> tools.putIfAbsent(node.path("id").asText(),
                        node.path("tool").asText()));
                }
                case "node.started" -> nodeStarted(event, data, trace);
                case "node.completed" -> nodeEnded(data, event.ts(), "completed", null, data.get("result"));
                case "node.failed" -> nodeEnded(data, event.ts(), "failed", text(data, "error"), null);
                case "workflow.completed", "workflow.failed", "workflow.cancelled" -> {
                    status = event.event().substring("workflow.".length());
                    endedAt = event.ts();
                    durationMs = data.hasNonNull("duration_ms") ? data.get("duration_ms").asLong() : null;
                    error = firstText(data, "error", "reason");
                    failedNode = text(data, "failed_node");
                }
                default -> {
                }
            }
            previous = event;
        }

        private void nodeStarted(Event event, JsonNode data, String trace) {
            String nodeId = data.path("node_id").asText();
            String worker = text(data, "worker_id");
            tools.putIfAbsent(nodeId, data.path("tool").asText());
            if (worker != null && executor != null && !worker.equals(executor)) {
                long gap = previous == null ? 0 : Duration.between(previous.ts(), event.ts()).toMillis();
                handovers.add(new Handover(event.ts(), executor, worker, nodeId, gap));
            }
            if (worker != null) {
                executor = worker;
            }
            List<Attempt> runs = attempts.computeIfAbsent(nodeId, id -> new ArrayList<>());
            if (!runs.isEmpty() && "running".equals(runs.get(runs.size() - 1).outcome())) {
                runs.set(runs.size() - 1, runs.get(runs.size() - 1).ended(null, "interrupted", null, null, null));
            }
            runs.add(new Attempt(data.path("attempt").asInt(runs.size() + 1), worker, trace, event.ts(), null, null,
                "running", null, null));
        }

        private void nodeEnded(JsonNode data, Instant at, String outcome, String reason, JsonNode result) {
            List<Attempt> runs = attempts.get(data.path("node_id").asText());
            if (runs == null || runs.isEmpty()) {
                // Failed without starting: a node after a failed one, or one its new owner could not run again.
                runs = attempts.computeIfAbsent(data.path("node_id").asText(), id -> new ArrayList<>());
                runs.add(new Attempt(1, null, null, at, null, null, "running", null, null));
            }
            Attempt last = runs.get(runs.size() - 1);
            Long ms = data.hasNonNull("duration_ms") ? data.get("duration_ms").asLong() : null;
            runs.set(runs.size() - 1, last.ended(at, outcome, ms, reason, result));
        }

        WorkflowTimeline build(String workflowId, int count) {
            List<NodeRun> nodes = new ArrayList<>();
            attempts.forEach((nodeId, runs) -> nodes.add(new NodeRun(nodeId, tools.get(nodeId), List.copyOf(runs))));
            tools.forEach((nodeId, tool) -> {
                if (!attempts.containsKey(nodeId)) {
                    nodes.add(new NodeRun(nodeId, tool, List.of()));
                }
            });
            return new WorkflowTimeline(workflowId, status, startedAt, endedAt, durationMs, error, failedNode,
                List.copyOf(nodes), List.copyOf(handovers), List.copyOf(gaps), List.copyOf(traceIds), count);
        }

        private static String firstText(JsonNode data, String... fields) {
            for (String field : fields) {
                String value = text(data, field);
                if (value != null) {
                    return value;
                }
            }
            return null;
        }

        private static String text(JsonNode data, String field) {
            JsonNode value = data.get(field);
            return value == null || value.isNull() ? null : value.asText();
        }
    }
}
