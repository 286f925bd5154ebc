package io.agentrelay.executor.dsl;

/**
 * One word of a DSL command.
 *
 * @param text        the word, quotes removed
 * @param quoted      whether the whole word was quoted
 * @param valueQuoted whether the part after {@code =} was quoted, for {@code key='value'}
 */
record Token(String text, boolean quoted, boolean valueQuoted) {

    Token(String text, boolean quoted) {
        this(text, quoted, quoted);
    }
}
