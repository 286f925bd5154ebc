package io.agentrelay.executor.workflow;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.agentrelay.executor.config.ExecutorConfig;
import io.agentrelay.common.json.Json;
import io.agentrelay.common.protocol.CommandPayload.ExecuteWorkflow;
import io.agentrelay.common.protocol.CommandPayload.Node;
import io.agentrelay.executor.tool.ToolRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** What a client puts in a workflow reaches the executor's log escaped, one line per log record. */
class InvalidWorkflowLogTest {

    @TempDir
    Path sandbox;

    private final Logger logger = (Logger) LoggerFactory.getLogger(WorkflowEngine.class);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private WorkflowEngine engine;

    @BeforeEach
    void start() {
        logged.start();
        logger.addAppender(logged);
        engine = new WorkflowEngine(ExecutorConfig.fromEnv(Map.of("EXECUTOR_SANDBOX_DIR", sandbox.toString())),
            ToolRegistry.of(List.of()), new RecordingSink(), NodeActivity.NONE, Snapshots.NONE,
            new SimpleMeterRegistry(), FollowUps.NONE);
    }

    @AfterEach
    void stop() {
        logger.detachAppender(logged);
        engine.close();
    }

    @Test
    void shouldNotLetAFileNameForgeALogLine() {
        String forged = "../x\n12:00:00.000 WARN  [main] i.a.e.c.ExecutorNode - executor compromised\u001b[2K";
        engine.execute(new ExecuteWorkflow("wf-forged", List.of(new Node("a", "write_file",
            Json.object().put("filename", forged).put("content", "x"))), List.of()), "command-1", "workflow:wf-forged");

        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage).singleElement().satisfies(line -> {
            assertThat(line).doesNotContain("\n", "\r", "\u001b")
                .contains("filename '../x\\n12:00:00.000 WARN  [main] i.a.e.c.ExecutorNode - executor "
                    + "compromised\\u001b[2K' must not contain '..'");
        });
    }
}
