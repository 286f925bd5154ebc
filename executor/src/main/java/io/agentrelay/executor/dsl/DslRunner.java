package io.agentrelay.executor.dsl;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.state.FollowUp;
import io.agentrelay.executor.workflow.EventSink;
import io.agentrelay.executor.workflow.WorkflowEngine;
import io.agentrelay.executor.workflow.WorkflowOutcome;

/**
 * Runs a DSL command: {@code dsl.progress} while compiling and executing, the workflow's own events in between, and
 * {@code dsl.result} at the end, all on the command's {@code workflow:<id>} channel. The result is the workflow's
 * {@link FollowUp}: its last step publishes it, on whichever executor ends the run.
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
        sink.publish(Event.of(channel, PROGRESS, data(command.workflowId(), command.command())
            .put("status", "parsing").put("message", "Parsing DSL command")));
        ExecuteWorkflow workflow;
        try {
            workflow = compiler.compile(command.workflowId(), command.command());
        } catch (DslException e) {
            sink.publish(Event.of(channel, RESULT, data(command.workflowId(), command.command())
                .put("success", false).put("error", e.getMessage())));
            return;
        }
        sink.publish(Event.of(channel, PROGRESS, data(command.workflowId(), command.command())
            .put("status", "executing").put("message", "Executing " + workflow.nodes().size() + " command(s)")));
        engine.execute(workflow, sent.id().toString(), sent.target().name(),
            new FollowUp.DslResult(command.command()));
    }

    /**
     * The {@code dsl.result} that ends a DSL command's workflow, with the workflow the command compiled to (clients
     * such as Praxis's builder draw it and can run it again).
     *
     * @param followUp the command's follow-up
     * @param workflow the workflow it compiled to, or null when it is not known
     * @param outcome  how its workflow ended
     * @return the event, on the workflow's channel
     */
    public static Event result(FollowUp.DslResult followUp, ExecuteWorkflow workflow, WorkflowOutcome outcome) {
        ObjectNode result = data(outcome.workflowId(), followUp.command()).put("success", outcome.completed());
        if (workflow != null) {
            ObjectNode compiled = result.putObject("workflow");
            compiled.set("nodes", Json.tree(workflow.nodes()));
            compiled.set("edges", Json.tree(workflow.edges()));
        }
        if (outcome.completed()) {
            result.set("result", Json.tree(outcome.results()));
        } else {
            result.put("error", outcome.error());
        }
        return Event.of(Channel.of(Namespace.WORKFLOW, outcome.workflowId()), RESULT, result);
    }

    private static ObjectNode data(String workflowId, String command) {
        return Json.object().put("workflow_id", workflowId).put("command", command);
    }
}
