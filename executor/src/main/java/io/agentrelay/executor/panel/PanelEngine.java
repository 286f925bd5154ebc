package io.agentrelay.executor.panel;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.config.KafkaSettings;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.state.PanelDefinition;
import io.agentrelay.common.state.PanelSnapshot;
import io.agentrelay.common.state.PanelTool;
import io.agentrelay.executor.spi.EmittedEvent;
import io.agentrelay.executor.spi.PanelCall;
import io.agentrelay.executor.spi.PanelHandler;
import io.agentrelay.executor.spi.PanelOutcome;
import io.agentrelay.executor.spi.ToolException;
import io.agentrelay.executor.state.StateWriter;
import io.agentrelay.executor.workflow.EventSink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the panels this executor owns: creates them, and carries out their tools. For each trigger it applies the
 * handler's mutations to the panel's state, publishes them as {@code panel.patch} and the emitted events as
 * {@code panel.event} on {@code panel:<id>}, stores the new snapshot with the offset of its last event, and answers
 * the caller on the same channel, addressed to it alone.
 *
 * <p>Commands arrive on the consumer thread, one at a time, so a panel's triggers apply in order.
 */
public final class PanelEngine implements AutoCloseable {

    /** A panel came to be: {@code {panel_id, state, tools}}. */
    public static final String CREATED = "panel.created";
    /** A panel's state changed: {@code {panel_id, revision, mutations}}. */
    public static final String PATCH = "panel.patch";
    /** A panel tool emitted an event: {@code {panel_id, event: {name, data}}}. */
    public static final String EVENT = "panel.event";
    private static final Logger LOG = LoggerFactory.getLogger(PanelEngine.class);

    private final PanelHandlers handlers;
    private final EventSink sink;
    private final StateWriter states;
    private final PanelStore store;
    private final Map<String, PanelSnapshot> owned = new ConcurrentHashMap<>();

    /**
     * @param handlers the handlers panel tools map to
     * @param sink     where events go
     * @param states   where snapshots go
     * @param kafka    how to reach the state topic
     * @param clientId a prefix for the Kafka client ids
     */
    public PanelEngine(PanelHandlers handlers, EventSink sink, StateWriter states, KafkaSettings kafka,
                       String clientId) {
        this.handlers = handlers;
        this.sink = sink;
        this.states = states;
        this.store = new PanelStore(kafka, clientId + "-panel-store");
    }

    /** Starts reading panel snapshots. */
    public void start() {
        store.start();
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
        PanelSnapshot created = new PanelSnapshot(definition.id(), definition.state(), definition.tools(), 0, -1);
        owned.put(definition.id(), created);
        ObjectNode data = Json.object().put("panel_id", definition.id());
        data.set("state", definition.state());
        data.set("tools", Json.tree(new TreeSet<>(definition.tools().keySet())));
        store(created, List.of(sink.publish(Event.of(channel(definition.id()), CREATED, data))));
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
        PanelSnapshot changed = new PanelSnapshot(panel.panelId(), next, panel.tools(), revision, panel.eventOffset());
        owned.put(panel.panelId(), changed);
        List<CompletableFuture<Long>> published = publish(changed, outcome);
        ObjectNode result = Json.object().put("status", "success");
        result.set("returnValue", outcome.returnValue());
        result.set("stateMutations", Json.tree(outcome.mutations()));
        result.set("events", Json.tree(outcome.events()));
        // The RESULT travels on the panel's channel, addressed to the caller: it reaches the caller after the PATCH
        // and EVENTs it caused, whatever node and whatever resume the caller is on.
        CompletableFuture<Long> answered = sink.publish(Event.replyOn(channel(panel.panelId()), command.replyTo(),
            command.kind(), command.requestId(), Json.object().set("result", result)));
        store(changed, published);
        answered.exceptionally(failure -> {
            sink.publish(Event.errorReply(command.replyTo(), command.requestId(), ErrorCode.UNAVAILABLE,
                "the result could not be published"));
            return null;
        });
    }

    /** Forgets the panels held in memory: after a rebalance their snapshots are read again from the state topic. */
    public void forgetOwned() {
        owned.clear();
    }

    @Override
    public void close() {
        store.close();
    }

    private List<CompletableFuture<Long>> publish(PanelSnapshot panel, PanelOutcome outcome) {
        List<CompletableFuture<Long>> published = new ArrayList<>();
        Channel.Scoped channel = channel(panel.panelId());
        if (!outcome.mutations().isEmpty()) {
            ObjectNode patch = Json.object().put("panel_id", panel.panelId()).put("revision", panel.revision());
            patch.set("mutations", Json.tree(outcome.mutations()));
            published.add(sink.publish(Event.of(channel, PATCH, patch)));
        }
        for (EmittedEvent emitted : outcome.events()) {
            ObjectNode data = Json.object().put("panel_id", panel.panelId());
            data.set("event", Json.tree(emitted));
            published.add(sink.publish(Event.of(channel, EVENT, data)));
        }
        return published;
    }

    /** Stores the snapshot once its events are, with the offset of the last; none stored, none written. */
    private CompletableFuture<Void> store(PanelSnapshot panel, List<CompletableFuture<Long>> published) {
        if (published.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Long> last = published.get(published.size() - 1);
        return CompletableFuture.allOf(published.toArray(CompletableFuture[]::new))
            .thenCompose(ignored -> states.put(PanelSnapshot.key(panel.panelId()), new PanelSnapshot(panel.panelId(),
                panel.state(), panel.tools(), panel.revision(), last.join())))
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
        Optional<PanelSnapshot> stored = store.latest(panelId);
        stored.ifPresent(snapshot -> owned.put(panelId, snapshot));
        return stored;
    }

    private static Channel.Scoped channel(String panelId) {
        return Channel.of(Namespace.PANEL, panelId);
    }
}
