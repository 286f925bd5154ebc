package io.agentrelay.executor.chat;

import static org.assertj.core.api.Assertions.assertThat;

import io.agentrelay.executor.spi.ChatPlanner;
import org.junit.jupiter.api.Test;

class RuleBasedPlannerTest {

    private final RuleBasedPlanner planner = new RuleBasedPlanner();

    @Test
    void shouldTurnTheFileRequestOfPraxissTestsIntoAWriteFileCall() {
        ChatPlanner.Plan plan = planner.plan("Create a file called chat_test.txt with content 'Hello from chat'");

        assertThat(plan.steps()).singleElement().satisfies(step -> {
            assertThat(step.tool()).isEqualTo("write_file");
            assertThat(step.params().path("filename").asText()).isEqualTo("chat_test.txt");
            assertThat(step.params().path("content").asText()).isEqualTo("Hello from chat");
        });
    }

    @Test
    void shouldRecogniseReadEchoAndWait() {
        assertThat(planner.plan("Please read the file notes.txt").steps().get(0).tool()).isEqualTo("read_file");
        assertThat(planner.plan("echo hello there").steps().get(0).params().path("message").asText())
            .isEqualTo("hello there");
        assertThat(planner.plan("wait 250 ms").steps().get(0).params().path("ms").asLong()).isEqualTo(250);
    }

    @Test
    void shouldSayWhatItCanDoWhenItCannotPlan() {
        ChatPlanner.Plan plan = planner.plan("What is the meaning of life?");

        assertThat(plan.steps()).isEmpty();
        assertThat(plan.reply()).contains("I can create a file");
    }
}
