package io.agentrelay.executor.consume;

import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.executor.chat.ChatRunner;
import io.agentrelay.executor.dsl.DslRunner;
import io.agentrelay.executor.panel.PanelEngine;
import io.agentrelay.executor.pool.WorkerReporter;
import io.agentrelay.executor.workflow.EventSink;
import io.agentrelay.executor.workflow.UnwritableStepException;
import io.agentrelay.executor.workflow.WorkflowEngine;
import io.agentrelay.executor.workflow.WorkflowRefusedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries out one command. Failures that concern the sender are answered on its {@code conn:<id>} channel; none
 * escapes to the consumer loop.
 */
final class CommandHandler {

    private static final Logger LOG = LoggerFactory.getLogger(CommandHandler.class);

    private final WorkflowEngine engine;
    private final DslRunner dsl;
    private final ChatRunner chat;
    private final WorkerReporter worker;
    private final PanelEngine panels;
    private final EventSink sink;

    CommandHandler(WorkflowEngine engine, DslRunner dsl, ChatRunner chat, WorkerReporter worker, PanelEngine panels,
                   EventSink sink) {
        this.engine = engine;
        this.panels = panels;
        this.dsl = dsl;
        this.chat = chat;
        this.worker = worker;
        this.sink = sink;
    }

    void handle(Command command) {
        try {
            CommandPayload payload = command.payload();
            if (payload instanceof CommandPayload.ExecuteWorkflow execute) {
                engine.execute(execute, command.id().toString(), command.target().name());
            } else if (payload instanceof CommandPayload.CancelWorkflow cancel) {
                engine.cancel(cancel.workflowId(), "cancelled by " + command.principal().subject());
            } else if (payload instanceof CommandPayload.GetWorkflowStatus query) {
                answerStatus(command, query);
            } else if (payload instanceof CommandPayload.DslCommand text) {
                dsl.run(command, text);
            } else if (payload instanceof CommandPayload.ChatMessage message) {
                chat.answer(command, message);
            } else if (payload instanceof CommandPayload.GetPoolStatus query) {
                worker.poolStatus(query.poolId()).ifPresentOrElse(
                    status -> answer(command, Event.reply(command.replyTo(), command.kind(), command.requestId(), status)),
                    () -> replyError(command, ErrorCode.NOT_FOUND, "pool '" + query.poolId() + "' is not known"));
            } else if (payload instanceof CommandPayload.ListTools query) {
                if (worker.poolStatus(query.poolId()).isPresent()) {
                    answer(command, Event.reply(command.replyTo(), command.kind(), command.requestId(),
                        engine.toolList(query.poolId())));
                } else {
                    replyError(command, ErrorCode.NOT_FOUND, "pool '" + query.poolId() + "' is not known");
                }
            } else if (payload instanceof CommandPayload.StartSession session) {
                chat.startSession(command, session);
            } else if (payload instanceof CommandPayload.GetSessionState query) {
                answerSession(command, query.sessionId(), "state", engine.sessionState(query.sessionId()));
            } else if (payload instanceof CommandPayload.GetSessionLogs query) {
                answerSession(command, query.sessionId(), "logs", engine.sessionLogs(query.sessionId()));
            } else if (payload instanceof CommandPayload.TriggerTool trigger) {
                panels.trigger(command, trigger);
            } else if (payload instanceof CommandPayload.CreatePanel create) {
                panels.create(create.panel());
            } else {
                replyError(command, ErrorCode.UNKNOWN_REQUEST, "this executor cannot carry out " + command.kind());
            }
        } catch (WorkflowRefusedException e) {
            sink.publish(Event.workflowRefused(command.replyTo(), command.requestId(), e.workflowId(), e.getMessage()));
        } catch (RelayException e) {
            replyError(command, e.code(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("Command {} ({}) failed", command.id(), command.kind(), e);
            replyError(command, ErrorCode.SERVER_ERROR, "the executor could not carry out " + command.kind());
        }
    }

    private void answerStatus(Command command, CommandPayload.GetWorkflowStatus query) {
        engine.status(query.workflowId()).ifPresentOrElse(
            status -> answer(command, Event.reply(command.replyTo(), command.kind(), command.requestId(),
                Json.tree(status))),
            () -> replyError(command, ErrorCode.NOT_FOUND, "workflow '" + query.workflowId() + "' is not known"));
    }

    private void answerSession(Command command, String sessionId, String field, Optional<? extends JsonNode> answer) {
        answer.ifPresentOrElse(
            value -> {
                ObjectNode data = Json.object().put("session_id", sessionId);
                data.set(field, value);
                answer(command, Event.reply(command.replyTo(), command.kind(), command.requestId(), data));
            },
            () -> replyError(command, ErrorCode.NOT_FOUND, "session '" + sessionId + "' is not known"));
    }

    /** Sends an answer; one that can never be written (too large) gets an error answer with the reason instead. */
    private void answer(Command command, Event answer) {
        sink.publish(answer).exceptionally(failure -> {
            UnwritableStepException unwritable = UnwritableStepException.cause(failure);
            if (unwritable != null) {
                replyError(command, unwritable.code(), unwritable.getMessage());
            }
            return null;
        });
    }

    private void replyError(Command command, ErrorCode code, String message) {
        sink.publish(Event.errorReply(command.replyTo(), command.requestId(), code, message));
    }
}
