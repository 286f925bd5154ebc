package io.agentrelay.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelTest {

    @Test
    void shouldParseNamespacedChannels() {
        Channel channel = Channel.parse("workflow:wf_abc-1.2");

        assertThat(channel).isEqualTo(Channel.of(Namespace.WORKFLOW, "wf_abc-1.2"));
        assertThat(channel.name()).isEqualTo("workflow:wf_abc-1.2");
    }

    @Test
    void shouldParseGlobal() {
        assertThat(Channel.parse("global")).isSameAs(Channel.GLOBAL);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "workflow", "workflow:", "nope:abc", "workflow:a b", "workflow:a:b", "Workflow:abc",
        "workflow:ä"})
    void shouldRejectInvalidNames(String name) {
        assertThatThrownBy(() -> Channel.parse(name))
            .isInstanceOfSatisfying(RelayException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CHANNEL));
    }

    @Test
    void shouldRejectIdsLongerThan128Characters() {
        assertThat(Channel.parse("pool:" + "a".repeat(128)).name()).hasSize(5 + 128);
        assertThatThrownBy(() -> Channel.parse("pool:" + "a".repeat(129)))
            .hasMessageContaining("1 to 128");
    }

    @Test
    void shouldKeepErrorMessagesShortForHugeNames() {
        assertThatThrownBy(() -> Channel.parse("x".repeat(100_000)))
            .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(200));
    }
}
