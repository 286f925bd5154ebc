package io.agentrelay.common.protocol;

import java.util.Map;
import java.util.Objects;

/**
 * Who sent a command: the authenticated subject and the claims the relay verified.
 *
 * @param subject the subject, {@code anonymous} when the endpoint needs no authentication
 * @param claims  verified claims, as strings
 */
public record Principal(String subject, Map<String, String> claims) {

    /** The principal of a connection that did not authenticate. */
    public static final Principal ANONYMOUS = new Principal("anonymous", Map.of());

    /** Copies the claims. */
    public Principal {
        Objects.requireNonNull(subject, "subject");
        claims = claims == null ? Map.of() : Map.copyOf(claims);
    }
}
