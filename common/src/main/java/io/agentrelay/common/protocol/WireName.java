package io.agentrelay.common.protocol;

import java.util.Optional;

/** An enum constant with its own name in JSON, channel and topic names. */
public interface WireName {

    /** The name on the wire. */
    String wireName();

    /**
     * @param type     the enum
     * @param wireName a name as it came over the wire
     * @param <E>      the enum
     * @return the constant of that name, or empty if there is none
     */
    static <E extends Enum<E> & WireName> Optional<E> find(Class<E> type, String wireName) {
        for (E constant : type.getEnumConstants()) {
            if (constant.wireName().equals(wireName)) {
                return Optional.of(constant);
            }
        }
        return Optional.empty();
    }
}
