package io.agentrelay.relay.dialect.praxis;

import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The names Praxis clients use for event types, internal ({@code TASK_STARTED}, {@code dsl.command_progress}) and
 * frontend ({@code workflowStart}), mapped to the relay's canonical event names.
 */
final class PraxisEventTypes {

    /**
     * What a new Praxis connection receives: Praxis's default filter (DSL progress and completion, task started,
     * progress, completed and failed, workflow started, progress and completed, P2P tool responses), plus workflow
     * failures and chat answers, without which a client could not see how the work it started ended.
     */
    static final Set<String> DEFAULT = Set.of(
        "dsl.progress", "dsl.result",
        "node.started", "node.progress", "workflow.stage_completed", "node.completed", "node.failed",
        "workflow.started", "workflow.completed", "workflow.failed",
        "tool.executed", "chat.message");

    private static final Map<String, Set<String>> ALIASES = new HashMap<>();

    static {
        alias(Set.of("workflow.started"), "workflowStart", "WORKFLOW_STARTED", "workflow.started");
        alias(Set.of("node.progress", "workflow.stage_completed"), "workflowProgress", "WORKFLOW_PROGRESS",
            "workflow.progress", "TASK_PROGRESS", "task.progress");
        alias(Set.of("workflow.completed"), "workflowComplete", "WORKFLOW_COMPLETED", "workflow.completed");
        alias(Set.of("workflow.failed"), "workflowError", "WORKFLOW_FAILED", "workflow.failed");
        alias(Set.of("node.started", "node.completed", "node.failed"), "nodeStatusUpdate", "NODE_STATUS_UPDATE",
            "node.status_update");
        alias(Set.of("node.started"), "TASK_STARTED", "task.started");
        alias(Set.of("node.completed"), "TASK_COMPLETED", "task.completed");
        alias(Set.of("node.failed"), "TASK_FAILED", "task.failed");
        alias(Set.of("dsl.progress"), "dslProgress", "DSL_COMMAND_PROGRESS", "dsl.command_progress");
        alias(Set.of("dsl.result"), "dslResult", "DSL_COMMAND_COMPLETED", "dsl.command_completed");
        alias(Set.of("chat.message"), "chatMessage", "CHAT_RESPONSE", "chat.message", "chat.response");
        alias(Set.of("tool.executed"), "tool_result", "TOOL_RESULT", "TOOL_EXECUTED", "tool.executed",
            "P2P_TOOL_RESPONSE", "p2p.tool_response");
    }

    private PraxisEventTypes() {
    }

    private static void alias(Set<String> canonical, String... names) {
        for (String name : names) {
            ALIASES.computeIfAbsent(key(name), k -> new LinkedHashSet<>()).addAll(canonical);
        }
    }

    /**
     * @param praxisName an event type as a Praxis client names it
     * @return the canonical names it stands for; a name Praxis does not know is taken as a canonical name itself
     */
    static Set<String> canonical(String praxisName) {
        return ALIASES.getOrDefault(key(praxisName), Set.of(praxisName));
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT);
    }
}
