package io.agentrelay.executor.dsl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.executor.workflow.EventSink;
import io.agentrelay.executor.workflow.WorkflowEngine;

/**
 * Runs a DSL command: {@code dsl.progress} while compiling and executing, the workflow's own events in between, and
 * {@code dsl.result} at the end, all on the command's {@code workflow:<id>} channel.
 */
public final class DslRunner {

    /** Progress of a DSL command: {@code {workflow_id, command, status, message}}. */
    public static final String PROGRESS = "dsl.progress";
    /** The end of a DSL command: {@code {workflow_id, command, success, result | error}}. */
    public static final String RESULT = "dsl.result";

    private final DslCompiler compiler;
    private final WorkflowEngine engine;
    private final EventSink sink;

    /**
     * @param compiler compiles the text
     * @param engine   runs the workflow
     * @param sink     where events go
     */
    public DslRunner(DslCompiler compiler, WorkflowEngine engine, EventSink sink) {
        this.compiler = compiler;
        this.engine = engine;
        this.sink = sink;
    }

    /**
     * Compiles and starts a DSL command; returns at once.
     *
     * @param sent    the command as sent, for its id and key
     * @param command the DSL command
     */
    public void run(Command sent, CommandPayload.DslCommand command) {
        Channel.Scoped channel = Channel.of(Namespace.WORKFLOW, command.workflowId());
        sink.publish(Event.of(channel, PROGRESS, data(command).put("status", "parsing")
            .put("message", "Parsing DSL command")));
        ExecuteWorkflow workflow;
        try {
            workflow = compiler.compile(command.workflowId(), command.command());
        } catch (DslException e) {
            sink.publish(Event.of(channel, RESULT, data(command).put("success", false).put("error", e.getMessage())));
            return;
        }
        sink.publish(Event.of(channel, PROGRESS, data(command).put("status", "executing")
            .put("message", "Executing " + workflow.nodes().size() + " command(s)")));
        engine.execute(workflow, sent.id().toString(), sent.target().name()).thenAccept(outcome -> {
            ObjectNode result = data(command).put("success", outcome.completed());
            if (outcome.completed()) {
                result.set("result", Json.tree(outcome.results()));
            } else {
                result.put("error", outcome.error());
            }
            sink.publish(Event.of(channel, RESULT, result));
        });
    }

    private static ObjectNode data(CommandPayload.DslCommand command) {
        return Json.object().put("workflow_id", command.workflowId()).put("command", command.command());
    }
}
