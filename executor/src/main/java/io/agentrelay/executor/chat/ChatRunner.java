package io.agentrelay.executor.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.CommandPayload.Edge;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.state.FollowUp;
import io.agentrelay.executor.spi.ChatPlanner;
import io.agentrelay.executor.workflow.EventSink;
import io.agentrelay.executor.workflow.WorkflowEngine;
import io.agentrelay.executor.workflow.WorkflowOutcome;

/**
 * Answers a chat message on its {@code session:<id>} channel: the planner's reply as {@code chat.message}, the tool
 * calls run as a workflow, then {@code tool.executed} per call and a closing {@code chat.message}, all from the
 * {@code assistant}. Those last are the workflow's {@link FollowUp}: its last step publishes them, on whichever
 * executor ends the run.
 */
public final class ChatRunner {

    /** An assistant's message: {@code {content, sender, type}}. */
    public static final String MESSAGE = "chat.message";
    /** A tool call's end: {@code {tool_name, status, result | error, sender}}. */
    public static final String TOOL_EXECUTED = "tool.executed";
    private static final String ASSISTANT = "assistant";

    private final ChatPlanner planner;
    private final WorkflowEngine engine;
    private final EventSink sink;

    /**
     * @param planner turns messages into tool calls
     * @param engine  runs them
     * @param sink    where events go
     */
    public ChatRunner(ChatPlanner planner, WorkflowEngine engine, EventSink sink) {
        this.planner = planner;
        this.engine = engine;
        this.sink = sink;
    }

    /** The first {@link ChatPlanner} on the class path, else the rule-based one. */
    public static ChatPlanner defaultPlanner() {
        return ServiceLoader.load(ChatPlanner.class).findFirst().orElseGet(RuleBasedPlanner::new);
    }

    /**
     * Plans and starts the answer to a message; returns at once.
     *
     * @param sent    the command as sent, for its id and key
     * @param message the message
     */
    public void answer(Command sent, CommandPayload.ChatMessage message) {
        Channel.Scoped channel = Channel.of(Namespace.SESSION, message.sessionId());
        ChatPlanner.Plan plan = planner.plan(message.content());
        sink.publish(message(channel, plan.reply()));
        if (plan.steps().isEmpty()) {
            return;
        }
        List<Node> nodes = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (int i = 0; i < plan.steps().size(); i++) {
            ChatPlanner.Step step = plan.steps().get(i);
            nodes.add(new Node("call-" + (i + 1), step.tool(), step.params()));
            if (i > 0) {
                edges.add(new Edge("call-" + i, "call-" + (i + 1)));
            }
        }
        // Named after the command, so that a command seen again starts nothing new.
        ExecuteWorkflow workflow = new ExecuteWorkflow("chat-" + sent.id(), nodes, edges, "chat",
            message.content());
        engine.execute(workflow, sent.id().toString(), sent.target().name(),
            new FollowUp.ChatReport(message.sessionId()));
    }

    /**
     * Starts a session of agent work from a question: the planner's steps run as the workflow of the session's id,
     * whose prompt is the question. A question the planner has no tool for becomes one step that answers it.
     *
     * @param sent    the command as sent, for its id and key
     * @param session the session to start
     */
    public void startSession(Command sent, CommandPayload.StartSession session) {
        ChatPlanner.Plan plan = planner.plan(session.query());
        List<ChatPlanner.Step> steps = plan.steps().isEmpty()
            ? List.of(new ChatPlanner.Step("echo", Json.object().put("message", plan.reply())))
            : plan.steps();
        List<Node> nodes = new ArrayList<>();
        List<Edge> edges = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            nodes.add(new Node("step-" + (i + 1), steps.get(i).tool(), steps.get(i).params()));
            if (i > 0) {
                edges.add(new Edge("step-" + i, "step-" + (i + 1)));
            }
        }
        engine.execute(new ExecuteWorkflow(session.sessionId(), nodes, edges, "session", session.query()),
            sent.id().toString(), sent.target().name());
    }

    /**
     * The end of a chat message's answer: {@code tool.executed} for each tool call, then a closing
     * {@code chat.message}.
     *
     * @param followUp the message's follow-up
     * @param nodes    the tool calls, as its workflow's nodes
     * @param outcome  how the workflow ended
     * @return the events, on the session's channel
     */
    public static List<Event> report(FollowUp.ChatReport followUp, List<Node> nodes, WorkflowOutcome outcome) {
        Channel.Scoped channel = Channel.of(Namespace.SESSION, followUp.sessionId());
        List<Event> events = new ArrayList<>();
        for (Node node : nodes) {
            JsonNode result = outcome.results().get(node.id());
            var data = Json.object().put("tool_name", node.tool()).put("sender", ASSISTANT)
                .put("status", result != null ? "completed" : "failed");
            if (result != null) {
                data.set("result", result);
            } else {
                data.put("error", outcome.error());
            }
            events.add(Event.of(channel, TOOL_EXECUTED, data));
        }
        events.add(message(channel, outcome.completed() ? "Done." : "That did not work: " + outcome.error()));
        return events;
    }

    private static Event message(Channel.Scoped channel, String content) {
        return Event.of(channel, MESSAGE, Json.object().put("content", content).put("sender", ASSISTANT)
            .put("type", ASSISTANT));
    }
}
