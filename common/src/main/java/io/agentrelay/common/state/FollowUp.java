package io.agentrelay.common.state;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.annotation.JsonTypeName;

/**
 * What a workflow's last step publishes besides the workflow's own end, for a command that asked for the work in its
 * own terms (a DSL command, a chat message). Kept in the workflow's snapshot, so that whichever executor ends the run
 * (a new owner after a hand-over too) publishes it with {@code workflow.completed} or {@code workflow.failed}, and a
 * retry of the command after the end is answered with it again.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "kind")
@JsonSubTypes({@JsonSubTypes.Type(FollowUp.DslResult.class), @JsonSubTypes.Type(FollowUp.ChatReport.class)})
public sealed interface FollowUp {

    /**
     * A DSL command's {@code dsl.result}, on the workflow's channel.
     *
     * @param command the DSL text, echoed in the result
     */
    @JsonTypeName("dsl_result")
    record DslResult(String command) implements FollowUp {
    }

    /**
     * A chat message's {@code tool.executed} for each tool call and its closing {@code chat.message}, on
     * {@code session:<id>}.
     *
     * @param sessionId the chat session
     */
    @JsonTypeName("chat_report")
    record ChatReport(String sessionId) implements FollowUp {
    }
}
