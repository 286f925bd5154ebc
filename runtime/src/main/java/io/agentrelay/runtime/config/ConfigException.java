package io.agentrelay.runtime.config;

/** A configuration value is missing or invalid; the message names the variable and the bad value. */
public final class ConfigException extends IllegalArgumentException {

    /**
     * @param message names the setting, the bad value and what was expected
     */
    public ConfigException(String message) {
        super(message);
    }
}
