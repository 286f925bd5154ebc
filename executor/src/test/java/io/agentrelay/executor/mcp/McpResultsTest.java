package io.agentrelay.executor.mcp;

import java.util.List;

import io.agentrelay.executor.spi.ToolException;
import io.modelcontextprotocol.spec.McpSchema;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class McpResultsTest {

    @Test
    void aLongErrorFromTheServerIsCutShortInTheNodesReason() {
        McpSchema.CallToolResult result = McpSchema.CallToolResult.builder()
            .content(List.of(McpSchema.TextContent.builder("x".repeat(100_000)).build())).isError(true).build();

        assertThatThrownBy(() -> McpResults.output(result)).isInstanceOf(ToolException.class)
            .message().startsWith("x".repeat(McpResults.MAX_REASON_CHARS)).endsWith("(98976 more characters)")
            .hasSizeLessThan(McpResults.MAX_REASON_CHARS + 40);
    }
}
