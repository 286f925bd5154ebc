package io.agentrelay.relay.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** The close reason a client reads its resume positions from, within the 123 bytes of a close frame. */
class ResumeReasonTest {

    @Test
    void shouldNameEachChannelsLastPositionInChannelOrder() {
        Map<String, String> positions = new LinkedHashMap<>();
        positions.put("workflow:b", "inc.1.7");
        positions.put("pool:p", "inc.0.3");

        assertThat(ResumeReason.of(ResumeReason.SLOW_CONSUMER, positions))
            .isEqualTo("slow consumer; resume pool:p@inc.0.3 workflow:b@inc.1.7");
    }

    @Test
    void shouldBeTheReasonAloneWithoutPositions() {
        assertThat(ResumeReason.of(ResumeReason.SHUTTING_DOWN, Map.of())).isEqualTo("relay shutting down; resume");
    }

    @Test
    void shouldKeepWholePositionsThatFitInACloseFrame() {
        Map<String, String> positions = new LinkedHashMap<>();
        for (int i = 10; i < 30; i++) {
            positions.put("workflow:wf-ü" + i, "Zk3q-_9xTbqLr0S1eQ2w8A.1." + i);
        }

        String reason = ResumeReason.of(ResumeReason.SLOW_CONSUMER, positions);

        assertThat(reason.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(ResumeReason.MAX_REASON_BYTES);
        assertThat(reason).startsWith("slow consumer; resume workflow:wf-ü10@Zk3q-_9xTbqLr0S1eQ2w8A.1.10 ")
            .endsWith(".1.11");
    }
}
