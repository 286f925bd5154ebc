package io.agentrelay.common.state;

import java.time.Instant;

/**
 * A unit of agent work in progress, as the state topic keeps it (key {@code workflow:<id>}) while it runs: a workflow,
 * whether a client sent it, wrote it as DSL, or a planner made it from a question. Its agents are the workflow's
 * steps. The owning executor writes it when the work starts, as steps start and end, and a last time with the final
 * status when the work ends; nothing deletes it, so the compacted topic keeps each session's latest state, ended ones
 * included (readers that want the active ones filter on {@code status}).
 *
 * @param sessionId    the session's id, which is the workflow's id
 * @param query        what the work is for: the question, the DSL text or the client's prompt; may be empty
 * @param status       {@code processing} while it runs, then how it ended
 * @param agentsActive steps running now
 * @param agentsTotal  steps in all
 * @param startedAt    when it started
 */
public record SessionSnapshot(String sessionId, String query, RunState status, int agentsActive, int agentsTotal,
                              Instant startedAt) {

    /** A session without a status reads as {@link RunState#FAILED}, as an unknown name does: not running. */
    public SessionSnapshot {
        status = status == null ? RunState.FAILED : status;
    }

    /** The state key of a session. */
    public static String key(String sessionId) {
        return "workflow:" + sessionId;
    }
}
