package io.agentrelay.executor.spi;

import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;

/**
 * A tool that workflow nodes call by name. Tools beyond the built-in ones are found with {@link java.util.ServiceLoader}:
 * list the implementation in {@code META-INF/services/io.agentrelay.executor.spi.Tool} and put its jar on the
 * executor's class path. Implementations need a public no-argument constructor and must be thread-safe: nodes of many
 * workflows call one instance at once.
 */
public interface Tool {

    /** The name that workflow nodes use in their {@code tool} field. */
    String name();

    /** What the tool does, for clients that list the tools ({@code list_tools}). Empty unless a tool says more. */
    default String description() {
        return "";
    }

    /**
     * The JSON Schema of the tool's {@code params}, for clients that list the tools ({@code list_tools}); the tool
     * still checks them in {@link #validate}. Any object unless a tool says more.
     */
    default JsonNode inputSchema() {
        return Json.object().put("type", "object");
    }

    /**
     * The names of the parameters that DSL commands may give by position, in order: {@code CALL write_file a.txt 'hi'}
     * means {@code {filename: "a.txt", content: "hi"}}. Empty when the tool takes only {@code key=value} arguments.
     */
    default List<String> positionalParameters() {
        return List.of();
    }

    /**
     * Whether running the tool twice with the same parameters does no more harm than running it once. When an
     * executor dies while a node runs, the node's new owner runs it again only if its tool is idempotent; otherwise
     * the node fails as {@code failed-unknown}, so that a side effect is never silently doubled. False unless a tool
     * says otherwise.
     */
    default boolean idempotent() {
        return false;
    }

    /**
     * Checks a node's parameters before the workflow starts, so that a bad workflow fails before any of it runs.
     *
     * @param params the node's {@code params}
     * @param context the executor's settings that tools may need
     * @throws ToolException naming what is wrong
     */
    default void validate(JsonNode params, ToolContext context) throws ToolException {
    }

    /**
     * Runs the tool on a thread of the executor's tool pool. Blocking is allowed; the node's timeout interrupts it.
     *
     * @param params  the node's {@code params}
     * @param context the workflow, the node, the sandbox and a way to report progress
     * @return the node's result, sent to clients in {@code node.completed}
     * @throws ToolException        when the tool fails; its message reaches clients in {@code node.failed}
     * @throws InterruptedException when the node timed out or the executor is stopping
     */
    JsonNode run(JsonNode params, ToolContext context) throws ToolException, InterruptedException;
}
