package io.agentrelay.relay.dialect.canonical;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.ErrorCode;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import org.junit.jupiter.api.Test;

/** Only a refused workflow becomes the requester's {@code workflow.failed}; other error replies stay errors. */
class CanonicalRepliesTest {

    private static final Channel.Scoped ASKER = Channel.of(Namespace.CONN, "c1");
    private final CanonicalDialect dialect = new CanonicalDialect();

    @Test
    void shouldTellARefusedWorkflowAsTheRequestersWorkflowFailed() throws Exception {
        JsonNode frame = Json.readTree(dialect.reply(Event.workflowRefused(ASKER, "r1", "wf_1",
            "workflow 'wf_1' already exists; a request to run it again was refused")));

        assertThat(frame.path("event").asText()).isEqualTo("workflow.failed");
        assertThat(frame.path("data").path("refused").asBoolean()).isTrue();
        assertThat(frame.path("data").path("workflow_id").asText()).isEqualTo("wf_1");
    }

    @Test
    void shouldKeepAnyOtherErrorReplyNamingAWorkflowAnError() throws Exception {
        Event notFound = Event.errorReply(ASKER, "r2", ErrorCode.NOT_FOUND, "workflow 'wf_2' not found");
        ((ObjectNode) notFound.data()).put("workflow_id", "wf_2");

        JsonNode frame = Json.readTree(dialect.reply(notFound));

        assertThat(frame.path("type").asText()).isEqualTo("error");
        assertThat(frame.path("correlation_id").asText()).isEqualTo("r2");
    }
}
