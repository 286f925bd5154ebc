package io.agentrelay.executor.dsl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import io.agentrelay.common.protocol.CommandPayload.Edge;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.executor.tool.ToolRegistry;
import org.junit.jupiter.api.Test;

class DslCompilerTest {

    private final DslCompiler compiler = new DslCompiler(ToolRegistry.of(List.of()));

    @Test
    void shouldCompileACallWithQuotedArgumentsByPosition() throws Exception {
        ExecuteWorkflow workflow = compiler.compile("wf", "CALL write_file websocket_test.txt 'WebSocket DSL test'");

        assertThat(workflow.nodes()).singleElement().satisfies(node -> {
            assertThat(node.tool()).isEqualTo("write_file");
            assertThat(node.params().path("filename").asText()).isEqualTo("websocket_test.txt");
            assertThat(node.params().path("content").asText()).isEqualTo("WebSocket DSL test");
        });
    }

    @Test
    void shouldChainSeveralCommandsInOrder() throws Exception {
        ExecuteWorkflow workflow = compiler.compile("wf",
            "CALL write_file a.txt \"it's here\"\ncall read_file filename=a.txt; CALL sleep 20");

        assertThat(workflow.nodes()).extracting(n -> n.tool()).containsExactly("write_file", "read_file", "sleep");
        assertThat(workflow.edges()).containsExactly(new Edge("step-1", "step-2"), new Edge("step-2", "step-3"));
        assertThat(workflow.nodes().get(0).params().path("content").asText()).isEqualTo("it's here");
        assertThat(workflow.nodes().get(2).params().path("ms").isIntegralNumber()).isTrue();
    }

    @Test
    void shouldKeepQuotedNumbersAsText() throws Exception {
        ExecuteWorkflow workflow = compiler.compile("wf", "CALL echo '42'; CALL echo message='7'");

        assertThat(workflow.nodes()).allSatisfy(node -> assertThat(node.params().path("message").isTextual()).isTrue());
    }

    @Test
    void shouldExplainWhatIsWrong() {
        assertThatThrownBy(() -> compiler.compile("wf", "  ")).hasMessageContaining("no command");
        assertThatThrownBy(() -> compiler.compile("wf", "RUN echo hi")).hasMessage("command 1 must start with CALL, not 'RUN'");
        assertThatThrownBy(() -> compiler.compile("wf", "CALL echo hi; CALL warp 9"))
            .hasMessageStartingWith("command 2: unknown tool 'warp'");
        assertThatThrownBy(() -> compiler.compile("wf", "CALL echo 'unterminated")).hasMessage("unterminated ' quote");
        assertThatThrownBy(() -> compiler.compile("wf", "CALL read_file a.txt b.txt"))
            .hasMessageContaining("takes 1 positional argument(s) [filename], but got more ('b.txt')");
    }
}
