package io.agentrelay.common.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import org.junit.jupiter.api.Test;

class CommandJsonTest {

    @Test
    void shouldRoundTripACommandWithItsKindAndSnakeCaseFields() throws Exception {
        CommandPayload.ExecuteWorkflow payload = new CommandPayload.ExecuteWorkflow("wf-1",
            List.of(new CommandPayload.Node("a", "echo", Json.object().put("message", "hi"))),
            List.of(new CommandPayload.Edge("a", "b")));
        Command command = new Command(UUID.randomUUID(), "req-1", payload.target(),
            Channel.of(Namespace.CONN, "c1"), Principal.ANONYMOUS, payload, Instant.parse("2026-11-23T10:00:00Z"));
        byte[] bytes = Json.toBytes(command);
        JsonNode tree = Json.readTree(bytes);

        assertThat(Json.readerFor(Command.class).<Command>readValue(bytes)).isEqualTo(command);
        assertThat(tree.path("payload").path("kind").asText()).isEqualTo("execute_workflow");
        assertThat(tree.path("payload").path("workflow_id").asText()).isEqualTo("wf-1");
        assertThat(tree.path("reply_to").asText()).isEqualTo("conn:c1");
        assertThat(tree.path("target").asText()).isEqualTo("workflow:wf-1");
        assertThat(tree.path("ts").asText()).isEqualTo("2026-11-23T10:00:00Z");
        assertThat(command.kind()).isEqualTo("execute_workflow");
    }

    @Test
    void shouldWriteOnlyThePayloadsOwnFieldsAndNotWhetherItIsAQuery() throws Exception {
        JsonNode status = Json.tree(new CommandPayload.GetWorkflowStatus("wf-1"));
        JsonNode session = Json.tree(new CommandPayload.StartSession("s-1", "what is new?"));

        assertThat(status.properties()).extracting(java.util.Map.Entry::getKey)
            .containsExactlyInAnyOrder("kind", "workflow_id");
        assertThat(session.properties()).extracting(java.util.Map.Entry::getKey)
            .containsExactlyInAnyOrder("kind", "session_id", "query");
        assertThat(session.path("query").asText()).isEqualTo("what is new?");
        assertThat(Json.readerFor(CommandPayload.class).<CommandPayload>readValue(session.toString()))
            .isEqualTo(new CommandPayload.StartSession("s-1", "what is new?"));
    }

    @Test
    void shouldRoundTripAReplyEvent() throws Exception {
        Event reply = Event.errorReply(Channel.of(Namespace.CONN, "c1"), "r1", ErrorCode.NOT_FOUND, "no such workflow");

        Event read = Json.readerFor(Event.class).readValue(Json.toBytes(reply));

        assertThat(read).isEqualTo(reply);
        assertThat(read.correlation()).contains("r1");
        assertThat(read.data().path("error_code").asText()).isEqualTo("NOT_FOUND");
    }
}
