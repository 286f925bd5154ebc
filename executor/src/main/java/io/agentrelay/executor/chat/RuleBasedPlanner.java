package io.agentrelay.executor.chat;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.agentrelay.common.json.Json;
import io.agentrelay.executor.spi.ChatPlanner;

/**
 * The default planner: a few English phrasings of the built-in tools, matched by rules, so that it behaves the same
 * every time. What it does not recognise gets a reply listing what it can do.
 */
public final class RuleBasedPlanner implements ChatPlanner {

    static final String HELP = "I can create a file (\"Create a file called notes.txt with content 'hello'\"), "
        + "read a file (\"Read the file notes.txt\"), echo text (\"Echo hello\") and wait (\"Wait 500 ms\").";

    private static final Pattern CREATE_FILE = Pattern.compile(
        "(?is).*\\b(?:create|write|make)\\s+(?:a\\s+|the\\s+)?file\\s+(?:called\\s+|named\\s+)?['\"]?([^\\s'\"]+)['\"]?"
            + "\\s+(?:with|containing)\\s+(?:the\\s+)?(?:content|text)?\\s*(?:'([^']*)'|\"([^\"]*)\"|(.+))");
    private static final Pattern READ_FILE = Pattern.compile(
        "(?is).*\\b(?:read|show|open|print)\\s+(?:me\\s+)?(?:the\\s+)?file\\s+(?:called\\s+|named\\s+)?['\"]?([^\\s'\"]+)['\"]?.*");
    private static final Pattern ECHO = Pattern.compile("(?is)\\s*(?:echo|say)\\s+(.+)");
    private static final Pattern WAIT = Pattern.compile("(?is)\\s*(?:wait|sleep)\\s+(\\d{1,9})\\s*(?:ms|milliseconds)?\\s*");

    @Override
    public Plan plan(String message) {
        Matcher create = CREATE_FILE.matcher(message);
        if (create.matches()) {
            String filename = create.group(1);
            String content = first(create.group(2), create.group(3), create.group(4));
            return new Plan("Creating " + filename + ".", List.of(new Step("write_file",
                Json.object().put("filename", filename).put("content", content.strip()))));
        }
        Matcher read = READ_FILE.matcher(message);
        if (read.matches()) {
            return new Plan("Reading " + read.group(1) + ".",
                List.of(new Step("read_file", Json.object().put("filename", read.group(1)))));
        }
        Matcher echo = ECHO.matcher(message);
        if (echo.matches()) {
            return new Plan("Echoing.", List.of(new Step("echo", Json.object().put("message", echo.group(1).strip()))));
        }
        Matcher wait = WAIT.matcher(message);
        if (wait.matches()) {
            return new Plan("Waiting " + wait.group(1) + " ms.",
                List.of(new Step("sleep", Json.object().put("ms", Long.parseLong(wait.group(1))))));
        }
        return new Plan("I did not understand that. " + HELP, List.of());
    }

    private static String first(String... candidates) {
        for (String candidate : candidates) {
            if (candidate != null) {
                return candidate;
            }
        }
        return "";
    }
}
