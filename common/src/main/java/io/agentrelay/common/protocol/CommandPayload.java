package io.agentrelay.common.protocol;

import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.agentrelay.common.protocol.PanelDefinition;

/**
 * What a {@link Command} asks for. The JSON form carries the kind in a {@code kind} property.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({
    @JsonSubTypes.Type(CommandPayload.ExecuteWorkflow.class),
    @JsonSubTypes.Type(CommandPayload.GetWorkflowStatus.class),
    @JsonSubTypes.Type(CommandPayload.GetPoolStatus.class),
    @JsonSubTypes.Type(CommandPayload.ListTools.class),
    @JsonSubTypes.Type(CommandPayload.DslCommand.class),
    @JsonSubTypes.Type(CommandPayload.ChatMessage.class),
    @JsonSubTypes.Type(CommandPayload.CancelWorkflow.class),
    @JsonSubTypes.Type(CommandPayload.StartSession.class),
    @JsonSubTypes.Type(CommandPayload.GetSessionState.class),
    @JsonSubTypes.Type(CommandPayload.GetSessionLogs.class),
    @JsonSubTypes.Type(CommandPayload.CreatePanel.class),
    @JsonSubTypes.Type(CommandPayload.TriggerTool.class),
})
public sealed interface CommandPayload {

    /** The command's kind, as in the {@code kind} property. */
    default String kind() {
        return getClass().getAnnotation(JsonTypeName.class).value();
    }

    /** The entity the command is about: it decides the command's partition and so its owning executor. */
    Channel.Scoped target();

    /**
     * Whether the command asks a question that the owning executor answers on the asker's {@code conn:<id>} channel;
     * the relay then sends no {@code accepted} response of its own. Not part of the JSON: the kind tells it.
     */
    @JsonIgnore
    default boolean isQuery() {
        return false;
    }

    /**
     * Run a workflow: a directed acyclic graph of tool calls.
     *
     * @param workflowId the workflow's id, also its channel {@code workflow:<id>}
     * @param nodes      the tool calls
     * @param edges      which node waits for which
     * @param adapter    the client's name for what runs the work (Mahavishnu's {@code adapter}), or null; echoed in
     *                   {@code workflow.started}
     * @param prompt     the client's description of the work, or null; echoed in {@code workflow.started}
     * @param deadlineMs how long the whole workflow may take before it fails, or null for no limit
     */
    @JsonTypeName("execute_workflow")
    record ExecuteWorkflow(String workflowId, List<Node> nodes, List<Edge> edges, String adapter, String prompt,
                           Long deadlineMs) implements CommandPayload {

        /** Copies the lists; the graph itself is validated by the executor, which knows the tools. */
        public ExecuteWorkflow {
            Objects.requireNonNull(workflowId, "workflowId");
            nodes = nodes == null ? List.of() : List.copyOf(nodes);
            edges = edges == null ? List.of() : List.copyOf(edges);
            if (deadlineMs != null && deadlineMs <= 0) {
                throw new RelayException(ErrorCode.INVALID_REQUEST, "'deadline_ms' must be positive");
            }
        }

        /**
         * A workflow without a deadline.
         *
         * @param workflowId the workflow's id
         * @param nodes      the tool calls
         * @param edges      which node waits for which
         * @param adapter    the client's adapter, or null
         * @param prompt     the client's prompt, or null
         */
        public ExecuteWorkflow(String workflowId, List<Node> nodes, List<Edge> edges, String adapter, String prompt) {
            this(workflowId, nodes, edges, adapter, prompt, null);
        }

        /**
         * A workflow with no adapter or prompt.
         *
         * @param workflowId the workflow's id
         * @param nodes      the tool calls
         * @param edges      which node waits for which
         */
        public ExecuteWorkflow(String workflowId, List<Node> nodes, List<Edge> edges) {
            this(workflowId, nodes, edges, null, null, null);
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.WORKFLOW, workflowId);
        }
    }

    /**
     * Ask for a workflow's status; the executor that owns it answers on the asker's {@code conn:<id>} channel.
     *
     * @param workflowId the workflow's id
     */
    @JsonTypeName("get_workflow_status")
    record GetWorkflowStatus(String workflowId) implements CommandPayload {

        /** Validates the id. */
        public GetWorkflowStatus {
            Objects.requireNonNull(workflowId, "workflowId");
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.WORKFLOW, workflowId);
        }

        @Override
        public boolean isQuery() {
            return true;
        }
    }

    /**
     * Ask for every tool a worker pool's executors offer (built-in, plugged-in and MCP), each with its description
     * and input schema; an executor of the pool answers on the asker's {@code conn:<id>} channel.
     *
     * @param poolId the pool's id
     */
    @JsonTypeName("list_tools")
    record ListTools(String poolId) implements CommandPayload {

        /** Validates the id. */
        public ListTools {
            Objects.requireNonNull(poolId, "poolId");
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.POOL, poolId);
        }

        @Override
        public boolean isQuery() {
            return true;
        }
    }

    /**
     * Ask for a worker pool's status; an executor of the pool answers on the asker's {@code conn:<id>} channel.
     *
     * @param poolId the pool's id
     */
    @JsonTypeName("get_pool_status")
    record GetPoolStatus(String poolId) implements CommandPayload {

        /** Validates the id. */
        public GetPoolStatus {
            Objects.requireNonNull(poolId, "poolId");
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.POOL, poolId);
        }

        @Override
        public boolean isQuery() {
            return true;
        }
    }

    /**
     * Run a DSL text ({@code CALL <tool> <args…>}, one command per line or separated by {@code ;}), which the
     * executor compiles into a workflow of that id.
     *
     * @param workflowId the workflow the text becomes, also its channel
     * @param command    the DSL text
     */
    @JsonTypeName("dsl_command")
    record DslCommand(String workflowId, String command) implements CommandPayload {

        /** Validates the fields. */
        public DslCommand {
            Objects.requireNonNull(workflowId, "workflowId");
            Objects.requireNonNull(command, "command");
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.WORKFLOW, workflowId);
        }
    }

    /**
     * A chat message for the executor's planner, which turns it into tool calls and answers on the session's
     * channel.
     *
     * @param sessionId the chat session, also its channel {@code session:<id>}
     * @param content   what the user wrote
     */
    @JsonTypeName("chat_message")
    record ChatMessage(String sessionId, String content) implements CommandPayload {

        /** Validates the fields. */
        public ChatMessage {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(content, "content");
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.SESSION, sessionId);
        }
    }

    /**
     * Stop a running workflow: its owner interrupts its running tools and publishes {@code workflow.cancelled}.
     *
     * @param workflowId the workflow
     */
    @JsonTypeName("cancel_workflow")
    record CancelWorkflow(String workflowId) implements CommandPayload {

        /** Validates the id. */
        public CancelWorkflow {
            Objects.requireNonNull(workflowId, "workflowId");
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.WORKFLOW, workflowId);
        }
    }

    /**
     * Start a session of agent work from a question: the executor's planner turns it into steps, run as the workflow
     * of the session's id.
     *
     * @param sessionId the session's id, also its workflow's id and channel {@code workflow:<id>}
     * @param query     the question; named explicitly, so that ignoring {@link #isQuery()} keeps it in the JSON
     */
    @JsonTypeName("start_session")
    record StartSession(String sessionId, @JsonProperty("query") String query) implements CommandPayload {

        /** Validates the fields. */
        public StartSession {
            Objects.requireNonNull(sessionId, "sessionId");
            Objects.requireNonNull(query, "query");
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.WORKFLOW, sessionId);
        }
    }

    /**
     * Ask for a session's state: its phase, progress and agents; the owner answers on the asker's channel.
     *
     * @param sessionId the session's (workflow's) id
     */
    @JsonTypeName("get_session_state")
    record GetSessionState(String sessionId) implements CommandPayload {

        /** Validates the id. */
        public GetSessionState {
            Objects.requireNonNull(sessionId, "sessionId");
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.WORKFLOW, sessionId);
        }

        @Override
        public boolean isQuery() {
            return true;
        }
    }

    /**
     * Ask for a session's log lines so far; the owner answers on the asker's channel.
     *
     * @param sessionId the session's (workflow's) id
     */
    @JsonTypeName("get_session_logs")
    record GetSessionLogs(String sessionId) implements CommandPayload {

        /** Validates the id. */
        public GetSessionLogs {
            Objects.requireNonNull(sessionId, "sessionId");
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.WORKFLOW, sessionId);
        }

        @Override
        public boolean isQuery() {
            return true;
        }
    }

    /**
     * Create a panel unless one of that id exists; the executor that owns it publishes {@code panel.created}.
     *
     * @param panel the panel's definition
     */
    @JsonTypeName("create_panel")
    record CreatePanel(PanelDefinition panel) implements CommandPayload {

        /** Validates the definition. */
        public CreatePanel {
            Objects.requireNonNull(panel, "panel");
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.PANEL, panel.id());
        }
    }

    /**
     * Run a panel's tool: the owner applies the handler's state mutations and publishes them as {@code panel.patch},
     * its emitted events as {@code panel.event}, and answers the caller with the result.
     *
     * @param panelId the panel
     * @param tool    the tool's name
     * @param args    the caller's arguments
     */
    @JsonTypeName("trigger_tool")
    record TriggerTool(String panelId, String tool, JsonNode args) implements CommandPayload {

        /** Validates the fields and fills missing args with an empty object. */
        public TriggerTool {
            Objects.requireNonNull(panelId, "panelId");
            Objects.requireNonNull(tool, "tool");
            args = args == null || args.isNull() ? JsonNodeFactory.instance.objectNode() : args;
        }

        @Override
        public Channel.Scoped target() {
            return Channel.of(Namespace.PANEL, panelId);
        }

        @Override
        public boolean isQuery() {
            return true;
        }
    }

    /**
     * One tool call in a workflow.
     *
     * @param id     unique within the workflow
     * @param tool   the tool's name
     * @param params the tool's parameters; their shape is the tool's business
     */
    record Node(String id, String tool, JsonNode params) {

        /** Fills missing params with an empty object. */
        public Node {
            params = params == null || params.isNull() ? JsonNodeFactory.instance.objectNode() : params;
        }
    }

    /**
     * A dependency: {@code to} starts only after {@code from} completed.
     *
     * @param from the node that runs first
     * @param to   the node that waits for it
     */
    record Edge(String from, String to) {
    }
}
