package io.agentrelay.common.state;

import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

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
 */
public record PanelSnapshot(String panelId, JsonNode state, Map<String, PanelTool> tools, long revision,
                            long eventOffset) {

    /** Copies the tools. */
    public PanelSnapshot {
        tools = tools == null ? Map.of() : Map.copyOf(tools);
    }

    /** The state key of a panel. */
    public static String key(String panelId) {
        return "panel:" + panelId;
    }
}
