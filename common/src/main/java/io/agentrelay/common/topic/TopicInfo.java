package io.agentrelay.common.topic;

/**
 * What clients of a topic need to know of it.
 *
 * @param name        the topic's name
 * @param incarnation the topic's id, which changes when the topic is deleted and created again
 * @param partitions  its partition count
 */
public record TopicInfo(String name, String incarnation, int partitions) {
}
