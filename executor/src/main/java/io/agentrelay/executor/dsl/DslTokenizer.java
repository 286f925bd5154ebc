package io.agentrelay.executor.dsl;

import java.util.ArrayList;
import java.util.List;

/** Splits DSL text into commands (lines or {@code ;}) and words, honouring quotes and backslash escapes. */
final class DslTokenizer {

    private DslTokenizer() {
    }

    static List<List<Token>> statements(String text) throws DslException {
        List<List<Token>> statements = new ArrayList<>();
        List<Token> current = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        boolean wordStartedQuoted = false;
        boolean quotedSinceEquals = false;
        char quote = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quote != 0) {
                if (c == '\\' && i + 1 < text.length()) {
                    word.append(text.charAt(++i));
                } else if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
            } else if (c == '\'' || c == '"') {
                if (!inWord) {
                    wordStartedQuoted = true;
                }
                if (word.length() > 0 && word.charAt(word.length() - 1) == '=') {
                    quotedSinceEquals = true;
                }
                inWord = true;
                quote = c;
            } else if (c == '\\' && i + 1 < text.length()) {
                inWord = true;
                word.append(text.charAt(++i));
            } else if (c == ';' || c == '\n' || c == '\r') {
                if (inWord) {
                    current.add(new Token(word.toString(), wordStartedQuoted, quotedSinceEquals || wordStartedQuoted));
                }
                word.setLength(0);
                inWord = wordStartedQuoted = quotedSinceEquals = false;
                if (!current.isEmpty()) {
                    statements.add(current);
                    current = new ArrayList<>();
                }
            } else if (Character.isWhitespace(c)) {
                if (inWord) {
                    current.add(new Token(word.toString(), wordStartedQuoted, quotedSinceEquals || wordStartedQuoted));
                }
                word.setLength(0);
                inWord = wordStartedQuoted = quotedSinceEquals = false;
            } else {
                inWord = true;
                word.append(c);
            }
        }
        if (quote != 0) {
            throw new DslException("unterminated " + quote + " quote");
        }
        if (inWord) {
            current.add(new Token(word.toString(), wordStartedQuoted, quotedSinceEquals || wordStartedQuoted));
        }
        if (!current.isEmpty()) {
            statements.add(current);
        }
        return statements;
    }
}
