package io.agentrelay.executor.panel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.protocol.PanelDefinition;
import io.agentrelay.common.state.PanelSnapshot;
import io.agentrelay.common.protocol.PanelTool;
import io.agentrelay.executor.spi.EmittedEvent;
import io.agentrelay.executor.spi.PanelCall;
import io.agentrelay.executor.spi.PanelHandler;
import io.agentrelay.executor.spi.PanelOutcome;
import io.agentrelay.executor.spi.ToolException;
import io.agentrelay.executor.state.StateStore;
import io.agentrelay.executor.workflow.EventSink;
import io.agentrelay.executor.workflow.StateRecord;
import io.agentrelay.executor.workflow.UnwritableStepException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the panels this executor owns: creates them, and carries out their tools. For each trigger it applies the
 * handler's mutations to the panel's state, publishes them as {@code panel.patch} and the emitted events as
 * {@code panel.event} on {@code panel:<id>} and answers the caller on the same channel, addressed to it alone, all in
 * one step with the new snapshot, which names the offset of the step's last event.
 *
 * <p>Commands arrive on the consumer thread, one at a time, so a panel's triggers apply in order.
 */
public final class PanelEngine {

    /** A panel came to be: {@code {panel_id, state, tools}}. */
    public static final String CREATED = "panel.created";
    /** A panel's state changed: {@code {panel_id, revision, mutations}}. */
    public static final String PATCH = "panel.patch";
    /** A panel tool emitted an event: {@code {panel_id, event: {name, data}}}. */
    public static final String EVENT = "panel.event";
    private static final Logger LOG = LoggerFactory.getLogger(PanelEngine.class);

    private final PanelHandlers handlers;
    private final EventSink sink;
    private final StateStore store;
    private final Map<String, PanelSnapshot> owned = new ConcurrentHashMap<>();

    /**
     * @param handlers the handlers panel tools map to
     * @param sink     where steps go
     * @param store    the committed snapshots, where a new owner finds a panel
     */
    public PanelEngine(PanelHandlers handlers, EventSink sink, StateStore store) {
        this.handlers = handlers;
        this.sink = sink;
        this.store = store;
    }

    /**
     * Creates a panel, unless it exists: a panel's definition is given again by every executor that starts with it.
     *
     * @param definition the panel
     */
    public void create(PanelDefinition definition) {
        if (current(definition.id()).isPresent()) {
            LOG.debug("Panel {} exists; not creating it again", definition.id());
            return;
        }
        PanelSnapshot created = new PanelSnapshot(definition.id(), definition.state(), definition.tools(), 0, -1,
            List.of());
        owned.put(definition.id(), created);
        ObjectNode data = Json.object().put("panel_id", definition.id());
        data.set("state", definition.state());
        data.set("tools", Json.tree(new TreeSet<>(definition.tools().keySet())));
        publish(created, List.of(Event.of(channel(definition.id()), CREATED, data)));
        LOG.info("Created panel {} with tools {}", definition.id(), definition.tools().keySet());
    }

    /**
     * Runs a panel tool and answers the caller on its channel: the result, or an error with {@code PANEL_NOT_FOUND},
     * {@code TOOL_NOT_FOUND} or {@code EXECUTION_ERROR}.
     *
     * @param command the command, for its reply channel and request id
     * @param trigger which tool, with which args
     */
    public void trigger(Command command, CommandPayload.TriggerTool trigger) {
        PanelSnapshot panel = current(trigger.panelId()).orElseThrow(() -> new RelayException(
            ErrorCode.PANEL_NOT_FOUND, "panel '" + trigger.panelId() + "' does not exist"));
        String commandId = command.id().toString();
        Optional<JsonNode> earlier = panel.resultOf(commandId);
        if (earlier.isPresent()) {
            LOG.info("Command {} on panel {} was applied already; answering its first result", commandId,
                panel.panelId());
            sink.publish(Event.replyOn(channel(panel.panelId()), command.replyTo(), command.kind(),
                command.requestId(), Json.object().set("result", earlier.get())));
            return;
        }
        PanelTool tool = panel.tools().get(trigger.tool());
        if (tool == null) {
            throw new RelayException(ErrorCode.TOOL_NOT_FOUND, "panel '" + panel.panelId() + "' has no tool '"
                + trigger.tool() + "'; its tools are " + new TreeSet<>(panel.tools().keySet()));
        }
        PanelHandler handler = handlers.find(tool.handler()).orElseThrow(() -> new RelayException(
            ErrorCode.EXECUTION_ERROR, "the handler '" + tool.handler() + "' of tool '" + trigger.tool()
                + "' is not installed on this executor"));
        PanelOutcome outcome;
        ObjectNode next;
        try {
            outcome = handler.handle(new PanelCall(panel.panelId(), trigger.tool(), panel.state().deepCopy(),
                tool.params(), trigger.args()));
            next = StateMutations.apply(panel.state(), outcome.mutations());
        } catch (ToolException e) {
            throw new RelayException(ErrorCode.EXECUTION_ERROR, e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("Handler {} of panel {} failed", tool.handler(), panel.panelId(), e);
            throw new RelayException(ErrorCode.EXECUTION_ERROR, "the tool '" + trigger.tool() + "' failed: " + e);
        }
        long revision = panel.revision() + (outcome.mutations().isEmpty() ? 0 : 1);
        ObjectNode result = Json.object().put("status", "success");
        result.set("returnValue", outcome.returnValue());
        result.set("stateMutations", Json.tree(outcome.mutations()));
        result.set("events", Json.tree(outcome.events()));
        PanelSnapshot changed = new PanelSnapshot(panel.panelId(), next, panel.tools(), revision, panel.eventOffset(),
            panel.withCommand(commandId, result));
        owned.put(panel.panelId(), changed);
        List<Event> step = events(changed, outcome);
        // The RESULT travels on the panel's channel, addressed to the caller, in the same step as the PATCH and
        // EVENTs it caused: it reaches the caller after them, whatever node and whatever resume the caller is on.
        step.add(Event.replyOn(channel(panel.panelId()), command.replyTo(), command.kind(), command.requestId(),
            Json.object().set("result", result)));
        publish(changed, step).exceptionally(failure -> {
            UnwritableStepException unwritable = UnwritableStepException.cause(failure);
            if (unwritable != null && !unwritable.isAfterAFailedStep()) {
                // The change will never be written, nor the later ones queued meanwhile, which fail after it: the
                // panel is as it was before it, including changes of earlier triggers that are still committing,
                // which the state topic may not have yet.
                owned.put(panel.panelId(), panel);
            }
            sink.publish(unwritable != null
                ? Event.errorReply(command.replyTo(), command.requestId(), unwritable.code(),
                    "the tool '" + trigger.tool() + "' was not applied: " + unwritable.getMessage())
                : Event.errorReply(command.replyTo(), command.requestId(), ErrorCode.UNAVAILABLE,
                    "the change could not be published; try again"));
            return null;
        });
    }

    /** Forgets the panels held in memory: after a rebalance their snapshots are read again from the state topic. */
    public void forgetOwned() {
        owned.clear();
    }

    private List<Event> events(PanelSnapshot panel, PanelOutcome outcome) {
        List<Event> events = new ArrayList<>();
        Channel.Scoped channel = channel(panel.panelId());
        if (!outcome.mutations().isEmpty()) {
            ObjectNode patch = Json.object().put("panel_id", panel.panelId()).put("revision", panel.revision());
            patch.set("mutations", Json.tree(outcome.mutations()));
            events.add(Event.of(channel, PATCH, patch));
        }
        for (EmittedEvent emitted : outcome.events()) {
            ObjectNode data = Json.object().put("panel_id", panel.panelId());
            data.set("event", Json.tree(emitted));
            events.add(Event.of(channel, EVENT, data));
        }
        return events;
    }

    /**
     * Publishes a step of the panel with its snapshot, which names the offset of the step's last event: a client
     * handed this state resumes the channel right after it.
     */
    private CompletableFuture<List<Long>> publish(PanelSnapshot panel, List<Event> events) {
        return sink.publishStep(events, List.of(StateRecord.afterEvents(PanelSnapshot.key(panel.panelId()),
            offsets -> new PanelSnapshot(panel.panelId(), panel.state(), panel.tools(), panel.revision(),
                offsets.get(offsets.size() - 1), panel.recentCommands()))))
            .whenComplete((ignored, failure) -> {
                if (failure != null) {
                    // Memory is ahead of what clients and the state topic saw: read the panel again next time.
                    owned.remove(panel.panelId(), panel);
                }
            });
    }

    private Optional<PanelSnapshot> current(String panelId) {
        PanelSnapshot panel = owned.get(panelId);
        if (panel != null) {
            return Optional.of(panel);
        }
        Optional<PanelSnapshot> stored = store.latestPanel(panelId);
        stored.ifPresent(snapshot -> owned.put(panelId, snapshot));
        return stored;
    }

    private static Channel.Scoped channel(String panelId) {
        return Channel.of(Namespace.PANEL, panelId);
    }
}
