package io.agentrelay.executor.spi;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Turns a chat message into tool calls. The executor uses the first planner that {@link java.util.ServiceLoader}
 * finds under {@code META-INF/services/io.agentrelay.executor.spi.ChatPlanner}, else a deterministic rule-based one.
 * Implementations must be thread-safe.
 */
public interface ChatPlanner {

    /**
     * @param message what the user wrote
     * @return what to say and which tools to call; no steps when the planner cannot help, with a reply that says
     *     what it can do
     */
    Plan plan(String message);

    /**
     * A planner's answer.
     *
     * @param reply what the assistant says before the tools run
     * @param steps the tool calls, run one after the other
     */
    record Plan(String reply, List<Step> steps) {

        /** Copies the steps. */
        public Plan {
            steps = List.copyOf(steps);
        }
    }

    /**
     * One tool call.
     *
     * @param tool   the tool's name
     * @param params its parameters
     */
    record Step(String tool, JsonNode params) {
    }
}
