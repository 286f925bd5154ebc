package io.agentrelay.runtime.log;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {

    @Test
    void shouldKeepOrdinaryTextAsItIs() {
        assertThat(LogText.escape("notes/2026 résumé.txt")).isEqualTo("notes/2026 résumé.txt");
    }

    @Test
    void shouldEscapeEverythingThatCouldStartOrHideALogLine() {
        assertThat(LogText.escape("a.txt\n12:00:00.000 INFO  [main] fake - admin logged in\r\t"))
            .isEqualTo("a.txt\\n12:00:00.000 INFO  [main] fake - admin logged in\\r\\t");
        assertThat(LogText.escape("bell\u0007 esc\u001b[31m nel\u0085 ls\u2028 ps\u2029 rlo\u202e zw\u200b"))
            .isEqualTo("bell\\u0007 esc\\u001b[31m nel\\u0085 ls\\u2028 ps\\u2029 rlo\\u202e zw\\u200b");
    }

    @Test
    void shouldEscapeBackslashesSoThatEscapesCannotBeForged() {
        assertThat(LogText.escape("a\\nb")).isEqualTo("a\\\\nb");
    }

    @Test
    void shouldCutLongTextAndSayHowMuchWasLeftOut() {
        assertThat(LogText.escape("x".repeat(1_000)))
            .isEqualTo("x".repeat(LogText.MAX_CHARS) + "… (744 more characters)");
        assertThat(LogText.escape(null)).isEqualTo("null");
    }
}
