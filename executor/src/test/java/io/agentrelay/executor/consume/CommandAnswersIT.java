package io.agentrelay.executor.consume;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.Channel;
import io.agentrelay.common.protocol.Command;
import io.agentrelay.common.protocol.CommandPayload;
import io.agentrelay.common.protocol.Event;
import io.agentrelay.common.protocol.Namespace;
import io.agentrelay.common.protocol.Principal;
import io.agentrelay.executor.tool.ToolRegistry;
import io.agentrelay.testkit.EmbeddedKafka;
import io.agentrelay.testkit.KafkaExtension;
import io.agentrelay.testkit.TopicPrefix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a command's sender hears beyond the workflow's own events, against a real broker: the answers that end a DSL
 * command ({@code dsl.result}) and a chat message ({@code tool.executed}, the closing {@code chat.message}), sent once
 * by the executor that ends the run, even when it took the run over from one that died, and again to a retry of the
 * command after the run ended; and the refusal of a workflow id that another command took.
 */
@ExtendWith(KafkaExtension.class)
class CommandAnswersIT {

    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path sandbox;

    private HandOverExecutors fleet;
    private CommittedEvents events;
    private List<ExecutorNode> executors;

    @BeforeEach
    void start(EmbeddedKafka kafka, TopicPrefix prefix) {
        fleet = new HandOverExecutors(kafka, prefix, sandbox, Namespace.WORKFLOW, Namespace.SESSION, Namespace.CONN);
        events = fleet.events();
        executors = fleet.executors();
    }

    @AfterEach
    void stop() {
        fleet.close();
    }

    @Test
    void shouldAnswerFromTheExecutorThatTookTheRunsOver() throws Exception {
        send(command(new CommandPayload.DslCommand("dsl-long", "CALL sleep 4000")));
        Command chat = command(new CommandPayload.ChatMessage("chat-long", "Wait 4000 ms"));
        send(chat);
        String chatWorkflow = "chat-" + chat.id();
        await().atMost(WAIT).until(() -> events.has("dsl-long", "node.started", null)
            && events.has(chatWorkflow, "node.started", null));

        executors.remove(0).abort();
        executors.add(ExecutorNode.start(fleet.config("executor-2"), ToolRegistry.withPlugins()));

        await().atMost(WAIT).until(() -> events.has("dsl-long", "workflow.completed", null)
            && events.has(chatWorkflow, "workflow.completed", null));
        // The answers commit with the workflows' ends: once these are read, so are they.
        assertThat(names("dsl-long")).as("dsl-long").containsOnlyOnce("workflow.completed", "dsl.result")
            .endsWith("workflow.completed", "dsl.result");
        Event result = events.of("dsl-long").get(events.of("dsl-long").size() - 1);
        assertThat(result.data().path("success").asBoolean()).isTrue();
        assertThat(result.data().path("result").path("step-1").path("slept_ms").asLong()).isEqualTo(4000);
        assertThat(names("chat-long")).as("the chat session")
            .containsExactly("chat.message", "tool.executed", "chat.message");
        assertThat(events.of("chat-long").get(1).data().path("status").asText()).isEqualTo("completed");
        assertThat(events.of("chat-long").get(2).data().path("content").asText()).isEqualTo("Done.");
    }

    @Test
    void shouldAnswerACommandRetriedAfterItsRunEnded() throws Exception {
        Command dsl = command(new CommandPayload.DslCommand("dsl-retried", "CALL echo hello"));
        send(dsl);
        await().atMost(WAIT).until(() -> events.has("dsl-retried", "dsl.result", null));

        send(dsl);

        await().atMost(WAIT).until(() -> names("dsl-retried").stream().filter("dsl.result"::equals).count() == 2);
        List<Event> results = events.of("dsl-retried").stream().filter(e -> e.event().equals("dsl.result")).toList();
        assertThat(results).extracting(e -> e.data().path("result").path("step-1").path("message").asText())
            .containsExactly("hello", "hello");
        assertThat(names("dsl-retried")).as("the workflow ran once").containsOnlyOnce("workflow.started",
            "workflow.completed");
    }

    @Test
    void shouldTellTheSenderThatTheWorkflowIdIsTaken() throws Exception {
        send(command(new CommandPayload.ExecuteWorkflow("wf-taken", List.of(new CommandPayload.Node("a", "echo",
            Json.object().put("message", "first"))), List.of())));
        await().atMost(WAIT).until(() -> events.has("wf-taken", "workflow.completed", null));

        Command again = command(new CommandPayload.ExecuteWorkflow("wf-taken", List.of(new CommandPayload.Node("b",
            "echo", Json.object().put("message", "second"))), List.of()));
        send(again);
        Command dsl = command(new CommandPayload.DslCommand("wf-taken", "CALL echo third"));
        send(dsl);

        await().atMost(WAIT).until(() -> !events.answers(again.requestId()).isEmpty()
            && !events.answers(dsl.requestId()).isEmpty()
            && names("wf-taken").stream().filter("workflow.refused"::equals).count() == 2);
        assertThat(events.answers(dsl.requestId())).singleElement()
            .satisfies(error -> assertThat(error.event()).isEqualTo(Event.ERROR));
        assertThat(events.answers(again.requestId())).singleElement().satisfies(error -> {
            assertThat(error.event()).isEqualTo(Event.ERROR);
            assertThat(error.data().path("error_code").asText()).isEqualTo("INVALID_REQUEST");
            assertThat(error.data().path("error_message").asText())
                .isEqualTo("workflow 'wf-taken' already exists; a request to run it again was refused");
        });
        assertThat(events.of("wf-taken")).filteredOn(e -> e.event().equals("workflow.refused"))
            .as("told on the workflow's channel too, where a sender without a socket looks").hasSize(2)
            .allSatisfy(e -> assertThat(e.data().path("reason").asText()).endsWith("a request to run it again was refused"));
        assertThat(names("wf-taken")).as("watchers of the first run are not told it failed")
            .doesNotContain("workflow.failed");
        assertThat(names("wf-taken")).as("the refused DSL command's follow-up is not published on the first run's "
            + "channel").doesNotContain("dsl.result");
        assertThat(names("wf-taken")).as("nothing ran again").containsOnlyOnce("workflow.started", "workflow.completed");
        assertThat(events.of("wf-taken")).filteredOn(e -> e.event().equals("node.started"))
            .extracting(e -> e.data().path("node_id").asText()).containsExactly("a");
    }

    private List<String> names(String channelId) {
        return events.of(channelId).stream().map(Event::event).toList();
    }


    private static Command command(CommandPayload payload) {
        return new Command(UUID.randomUUID(), "r-" + UUID.randomUUID(), payload.target(),
            Channel.of(Namespace.CONN, "follow-up-test"), Principal.ANONYMOUS, payload, Instant.now());
    }

    private void send(Command command) throws Exception {
        fleet.send(command);
    }
}
