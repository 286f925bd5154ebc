package io.agentrelay.common.query;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;

import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.RelayException;
import org.junit.jupiter.api.Test;

class ReadScopeTest {

    @Test
    void shouldReadOneChannelANamespaceOrEverythingButPrivateChannels() {
        assertThat(ReadScope.parse("workflow:wf-1").includes("workflow:wf-1")).isTrue();
        assertThat(ReadScope.parse("workflow:wf-1").includes("workflow:wf-2")).isFalse();
        ReadScope namespace = ReadScope.parse("workflow:*");
        assertThat(namespace.namespaces()).containsExactly(Namespace.WORKFLOW);
        assertThat(namespace.includes("workflow:any")).isTrue();
        assertThat(namespace.includes("session:any")).isFalse();
        ReadScope global = ReadScope.parse("global");
        assertThat(global.namespaces()).doesNotContain(Namespace.CONN).contains(Namespace.PANEL);
        assertThat(global.includes("conn:c-1")).isFalse();
        assertThatThrownBy(() -> ReadScope.parse("conn:*")).isInstanceOf(RelayException.class);
        assertThatThrownBy(() -> ReadScope.parse("nothing:*")).isInstanceOf(RelayException.class);
    }

    @Test
    void shouldTakeRelativeAndIsoTimes() {
        Instant now = Instant.parse("2026-11-29T10:00:00Z");
        assertThat(TimeBound.parse("-15m", now)).contains(Instant.parse("2026-11-29T09:45:00Z"));
        assertThat(TimeBound.parse("-1h", now)).contains(Instant.parse("2026-11-29T09:00:00Z"));
        assertThat(TimeBound.parse("-2d", now)).contains(Instant.parse("2026-11-27T10:00:00Z"));
        assertThat(TimeBound.parse("2026-11-23T10:00:00Z", now)).contains(Instant.parse("2026-11-23T10:00:00Z"));
        assertThat(TimeBound.parse("yesterday", now)).isEmpty();
        assertThat(TimeBound.parse("-1w", now)).isEmpty();
    }
}
