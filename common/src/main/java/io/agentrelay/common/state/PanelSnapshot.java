package io.agentrelay.common.state;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.protocol.PanelTool;

/**
 * A panel as the state topic keeps it (key {@code panel:<id>}), written by the executor that owns it after each change.
 *
 * @param panelId     the panel's id
 * @param state       the current state
 * @param tools       the panel's tools by name
 * @param revision    how many changes were applied; 0 for the initial state
 * @param eventOffset the offset, in the panel's event partition, of the last event this state includes
 *                    ({@code panel.created} or a {@code panel.patch}): a client handed this state resumes the
 *                    panel's channel right after it, and sees every later change exactly once
 * @param recentCommands the last {@value #RECENT_COMMANDS} commands applied, oldest first, with their results: a
 *                    command seen again (a client's retry, or a command redelivered to a new owner) is answered with
 *                    its first result and not applied twice
 */
public record PanelSnapshot(String panelId, JsonNode state, Map<String, PanelTool> tools, long revision,
                            long eventOffset, List<AppliedCommand> recentCommands) {

    /** How many command ids a panel remembers. */
    public static final int RECENT_COMMANDS = 64;

    /** Copies the tools and keeps the newest command ids. */
    public PanelSnapshot {
        tools = tools == null ? Map.of() : Map.copyOf(tools);
        recentCommands = recentCommands == null ? List.of() : List.copyOf(recentCommands.subList(
            Math.max(0, recentCommands.size() - RECENT_COMMANDS), recentCommands.size()));
    }

    /**
     * @param commandId a command just applied
     * @param result    what its caller was answered
     * @return the recent commands with that one added
     */
    public List<AppliedCommand> withCommand(String commandId, JsonNode result) {
        List<AppliedCommand> applied = new ArrayList<>(recentCommands);
        applied.add(new AppliedCommand(commandId, result));
        return applied;
    }

    /**
     * @param commandId a command's id
     * @return its first result, if the panel applied it recently
     */
    public Optional<JsonNode> resultOf(String commandId) {
        return recentCommands.stream().filter(applied -> applied.commandId().equals(commandId))
            .map(AppliedCommand::result).findFirst();
    }

    /**
     * A command a panel applied.
     *
     * @param commandId the command's id
     * @param result    the result its caller got
     */
    public record AppliedCommand(String commandId, JsonNode result) {
    }

    /** The state key of a panel. */
    public static String key(String panelId) {
        return "panel:" + panelId;
    }
}
