package io.agentrelay.executor.spi;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * One trigger of a panel tool, as its handler sees it.
 *
 * @param panelId the panel
 * @param tool    the tool's name
 * @param state   the panel's current state; a copy, so changing it changes nothing
 * @param params  the tool's fixed parameters from the panel's definition
 * @param args    the caller's arguments
 */
public record PanelCall(String panelId, String tool, JsonNode state, JsonNode params, JsonNode args) {

    /**
     * A parameter from the caller's args, else from the tool's params.
     *
     * @param name the parameter's name
     * @return its value, or null when neither has it
     */
    public JsonNode param(String name) {
        JsonNode value = args.get(name);
        return value != null ? value : params.get(name);
    }
}
