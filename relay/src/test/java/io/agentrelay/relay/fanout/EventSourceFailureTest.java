package io.agentrelay.relay.fanout;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.CorruptRecordException;
import org.apache.kafka.common.errors.NotLeaderOrFollowerException;
import org.apache.kafka.common.errors.SaslAuthenticationException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.junit.jupiter.api.Test;

/** Which failures of the event consumer are worth another poll, and which end the reader (and the node's sessions). */
class EventSourceFailureTest {

    @Test
    void shouldRetryWhileBrokersAreAwayOrLeadersMove() {
        assertThat(EventSource.isRetriable(new TimeoutException("position not known within 5 s"))).isTrue();
        assertThat(EventSource.isRetriable(new NotLeaderOrFollowerException("leader moved"))).isTrue();
    }

    @Test
    void shouldEndTheReaderOnFailuresThatEveryPollWouldMeetAgain() {
        assertThat(EventSource.isRetriable(new TopicAuthorizationException(Set.of("agentrelay.events.default"))))
            .isFalse();
        assertThat(EventSource.isRetriable(new SaslAuthenticationException("bad credentials"))).isFalse();
        assertThat(EventSource.isRetriable(new UnsupportedVersionException("broker too old"))).isFalse();
        // How the consumer reports a record it cannot read: a plain KafkaException around the cause.
        assertThat(EventSource.isRetriable(new KafkaException("Received exception when fetching the next record",
            new CorruptRecordException("checksum")))).isFalse();
    }
}
