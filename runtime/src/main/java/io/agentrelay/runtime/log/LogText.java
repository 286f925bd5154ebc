package io.agentrelay.runtime.log;

/**
 * Text that a client chose (file names, node ids, tool names, the reasons built from them), made fit for a log line:
 * control and invisible formatting characters are escaped, so that a client cannot forge log lines or hide text in
 * them, and the text is cut short, so that it cannot flood the log.
 */
public final class LogText {

    /** The most characters of one text that a log line shows; the rest is counted. */
    public static final int MAX_CHARS = 256;

    private LogText() {
    }

    /**
     * @param text what a client sent, or null
     * @return the text with {@code \}, line breaks, tabs and every other control or formatting character escaped
     *     ({@code \\}, {@code \n}, {@code \r}, {@code \t}, and {@code \\u} with four hex digits for the rest), at
     *     most {@value #MAX_CHARS} of its characters
     */
    public static String escape(String text) {
        if (text == null) {
            return "null";
        }
        int end = Math.min(text.length(), MAX_CHARS);
        if (end < text.length() && Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        StringBuilder escaped = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\\' -> escaped.append("\\\\");
                case '\n' -> escaped.append("\\n");
                case '\r' -> escaped.append("\\r");
                case '\t' -> escaped.append("\\t");
                default -> {
                    int type = Character.getType(c);
                    if (type == Character.CONTROL || type == Character.FORMAT || type == Character.LINE_SEPARATOR
                        || type == Character.PARAGRAPH_SEPARATOR) {
                        escaped.append(String.format("\\u%04x", (int) c));
                    } else {
                        escaped.append(c);
                    }
                }
            }
        }
        if (end < text.length()) {
            escaped.append("… (").append(text.length() - end).append(" more characters)");
        }
        return escaped.toString();
    }
}
