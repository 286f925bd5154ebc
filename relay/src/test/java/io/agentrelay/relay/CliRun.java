package io.agentrelay.relay;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import io.agentrelay.common.json.Json;
import io.agentrelay.tools.cli.RelayCli;
import picocli.CommandLine;

/**
 * One run of the {@code relay} CLI in this JVM, with what it printed.
 *
 * @param exitCode its exit code
 * @param out      standard output
 * @param err      standard error
 */
record CliRun(int exitCode, String out, String err) {

    static CliRun run(String... args) {
        return run(new StringWriter(), args);
    }

    /** A run whose standard output the caller may watch while it runs. */
    static CliRun run(StringWriter out, String... args) {
        StringWriter err = new StringWriter();
        CommandLine cli = RelayCli.commandLine();
        cli.setOut(new PrintWriter(out, true));
        cli.setErr(new PrintWriter(err, true));
        int exitCode = cli.execute(args);
        return new CliRun(exitCode, out.toString(), err.toString());
    }

    /** Standard output as JSON lines. */
    List<JsonNode> lines() {
        return Arrays.stream(out.split("\n")).filter(line -> !line.isBlank()).map(line -> {
            try {
                return Json.readTree(line);
            } catch (Exception e) {
                throw new AssertionError("not a JSON line: " + line, e);
            }
        }).toList();
    }

    /** Standard output as one JSON document. */
    JsonNode json() {
        try {
            return Json.readTree(out);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + out, e);
        }
    }
}
