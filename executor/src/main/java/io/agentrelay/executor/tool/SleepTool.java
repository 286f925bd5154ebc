package io.agentrelay.executor.tool;

import java.util.List;

import java.time.Duration;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.executor.spi.Tool;
import io.agentrelay.executor.spi.ToolContext;
import io.agentrelay.executor.spi.ToolException;

/** {@code sleep {ms}}: waits, at most the executor's {@code EXECUTOR_MAX_SLEEP_MS}; returns {@code {slept_ms}}. */
final class SleepTool implements Tool {

    @Override
    public List<String> positionalParameters() {
        return List.of("ms");
    }

    @Override
    public String name() {
        return "sleep";
    }

    @Override
    public String description() {
        return "Waits ms milliseconds, at most EXECUTOR_MAX_SLEEP_MS: {slept_ms}.";
    }

    @Override
    public JsonNode inputSchema() {
        return Params.schema(List.of("ms"), "ms", "integer");
    }

    @Override
    public boolean idempotent() {
        return true;
    }

    @Override
    public void validate(JsonNode params, ToolContext context) throws ToolException {
        duration(params, context);
    }

    @Override
    public JsonNode run(JsonNode params, ToolContext context) throws ToolException, InterruptedException {
        Duration duration = duration(params, context);
        Thread.sleep(duration.toMillis());
        return Json.object().put("slept_ms", duration.toMillis());
    }

    private static Duration duration(JsonNode params, ToolContext context) throws ToolException {
        long ms = Params.wholeNumber(params, "ms");
        if (ms < 0 || ms > context.maxSleep().toMillis()) {
            throw new ToolException("field 'ms' must be between 0 and " + context.maxSleep().toMillis() + ", but was " + ms);
        }
        return Duration.ofMillis(ms);
    }
}
