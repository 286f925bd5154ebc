package io.agentrelay.relay.dialect;

import java.time.Instant;
import java.util.Optional;

import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Position;
import io.agentrelay.common.protocol.RelayException;
import io.agentrelay.common.query.TimeBound;

/** One end of a replay: a moment, or an event's position. */
public sealed interface ReplayBound {

    /**
     * Reads a bound as a client wrote it: a time relative to now ({@code -15m}, {@code -1h}), an ISO-8601 instant,
     * or a {@code pos}.
     *
     * @param field the field's name, for the error
     * @param value the value
     * @return the bound
     * @throws RelayException with {@link ErrorCode#INVALID_REQUEST} when it is neither
     */
    static ReplayBound parse(String field, String value) {
        Optional<Instant> time = TimeBound.parse(value, Instant.now());
        if (time.isPresent()) {
            return new AtTime(time.get());
        }
        try {
            return new AtPosition(Position.decode(value));
        } catch (RelayException notAPosition) {
            throw new RelayException(ErrorCode.INVALID_REQUEST, "field 'data." + field + "' must be a time such as "
                + "-15m, -1h, -2d or 2026-11-23T10:00:00Z, or a pos from an event");
        }
    }

    /**
     * A moment.
     *
     * @param time the moment
     */
    record AtTime(Instant time) implements ReplayBound {
    }

    /**
     * An event's position.
     *
     * @param position the position
     */
    record AtPosition(Position position) implements ReplayBound {
    }
}
