package io.agentrelay.runtime.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;

import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class JsonSerdeTest {

    private final JsonSerde<Event> serde = JsonSerde.of(Event.class);

    @Test
    void shouldRoundTripARecord() {
        Event reply = Event.errorReply(Channel.of(Namespace.CONN, "c1"), "r1", ErrorCode.NOT_FOUND, "no such workflow");

        assertThat(serde.deserialize("t", serde.serialize("t", reply))).isEqualTo(reply);
    }

    @Test
    void shouldReportARecordThatIsNotJsonAsKafkaSerializationErrorNamingTheTopic() {
        assertThatThrownBy(() -> serde.deserialize("relay.events.workflow", "not json".getBytes(StandardCharsets.UTF_8)))
            .isInstanceOf(SerializationException.class).hasMessageContaining("relay.events.workflow");
    }

    @Test
    void shouldKeepNullAsNull() {
        assertThat(serde.serialize("t", null)).isNull();
        assertThat(serde.deserialize("t", null)).isNull();
    }
}
