package io.agentrelay.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PositionTest {

    @Test
    void shouldRoundTripThroughItsOpaqueForm() {
        Position position = new Position("Zk3q-_9xTbqLr0S1eQ2w8A", 7, 123_456_789_012L);

        assertThat(Position.decode(position.encode())).isEqualTo(position);
    }

    @Test
    void shouldNameThePointBeforeAnEmptyPartition() {
        Position start = Position.before("Zk3q", 0, 0);

        assertThat(start.offset()).isEqualTo(-1);
        assertThat(Position.decode(start.encode())).isEqualTo(start);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "abc", "abc.1", ".1.2", "abc.x.2", "abc.1.-2", "abc.-1.5", "abc.1.2.3x"})
    void shouldRejectStringsThatAreNotPositions(String pos) {
        assertThatThrownBy(() -> Position.decode(pos))
            .isInstanceOfSatisfying(RelayException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_REQUEST));
    }
}
