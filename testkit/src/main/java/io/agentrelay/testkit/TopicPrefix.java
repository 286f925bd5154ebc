package io.agentrelay.testkit;

/**
 * A topic prefix that no other test uses, so that tests sharing a broker never read each other's records.
 *
 * @param value the prefix, a valid topic name fragment
 */
public record TopicPrefix(String value) {

    @Override
    public String toString() {
        return value;
    }
}
