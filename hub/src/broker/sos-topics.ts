import { TOPIC_ROOT, TOPIC_VERSION } from '@steppelink/protocols';

const PREFIX = `${TOPIC_ROOT}/${TOPIC_VERSION}/`;

/** A worker's page, `sl/v1/worker/{personId}/alert`: written without aedes' setImmediate hop (urgent-delivery.ts). */
export const isWorkerAlertTopic = (topic: string): boolean =>
  topic.startsWith(`${PREFIX}worker/`) && topic.endsWith('/alert');

/** A household's sos-ack, `sl/v1/{deviceId}/down/sos-ack`. */
export const isSosAckTopic = (topic: string): boolean =>
  topic.startsWith(PREFIX) && topic.endsWith('/down/sos-ack');

/** A responder's text to a household during its SOS, `sl/v1/{deviceId}/down/sos-msg` (issue #27). */
export const isSosMsgTopic = (topic: string): boolean =>
  topic.startsWith(PREFIX) && topic.endsWith('/down/sos-msg');

/**
 * The SOS path's downlink (pages, sos-acks, responders' texts): never dropped from a session
 * queue, and the PUBACKs that make a delivery record `delivered`.
 */
export const isSosTopic = (topic: string): boolean =>
  isWorkerAlertTopic(topic) || isSosAckTopic(topic) || isSosMsgTopic(topic);
