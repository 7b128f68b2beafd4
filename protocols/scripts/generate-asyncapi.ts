/**
 * The AsyncAPI 3.0 description of SteppeLink's MQTT API, generated from the zod schemas in
 * protocols/src: one channel per topic family and kind, one operation per channel (from the
 * hub's point of view), payload schemas as JSON Schema (draft-07, the input form: fields with
 * defaults are optional) and the fixtures as examples.
 *
 * `buildAsyncApi()` is pure; running this file (`npm run asyncapi`) writes protocols/asyncapi.json,
 * which is committed and checked by generate-asyncapi.test.ts.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { MAX_PAYLOAD_BYTES } from '../src/codec.ts';
import { fixtures } from '../src/fixtures.ts';
import { ID_MAX_LENGTH } from '../src/ids.ts';
import { MESSAGE_KINDS, MESSAGES, type MessageKind } from '../src/messages.ts';
import { DOWN_KINDS, RESERVED_IDS, UP_KINDS } from '../src/topics.ts';

/** Version of the wire contract this document describes: topics `sl/v1`, payloads `v: 1`. */
export const ASYNCAPI_API_VERSION = '1.0.0';
export const ASYNCAPI_PATH = fileURLToPath(new URL('../asyncapi.json', import.meta.url));

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
const ref = (path: string): JsonObject => ({ $ref: path });
/** QoS 1 everywhere: SOS and receipts must arrive at least once; `id` makes redelivery harmless. */
const MQTT_QOS1: JsonObject = { mqtt: { qos: 1, bindingVersion: '0.2.0' } };

const ID_RULE = `1-${ID_MAX_LENGTH} characters from A-Z a-z 0-9 . _ : -, starting with a letter or digit (never + # / or spaces)`;
const PARAMETERS: JsonObject = {
  deviceId: {
    description: `Device id, also the device's MQTT username: ${ID_RULE}; not one of ${RESERVED_IDS.join(', ')}.`,
    examples: ['stb-150824-104-0007', 'trk-patrol-150825-03', 'col-150824-104-0007-a'],
  },
  unitId: {
    description: `Administrative unit id (league, banner, sumu, gacha or grid): ${ID_RULE}.`,
    examples: ['150800', '150824', '150824-104-007-03'],
  },
  workerId: {
    description: `Person id of a grid worker or officer (the registry's person \`id\`, e.g. p-bater; not their login name): ${ID_RULE}. A phone learns it from GET /api/me (\`person.id\`) after signing in.`,
    examples: ['p-bater', 'w-150824-0031'],
  },
};

/** JSON Schema of what a producer may send (`io: 'input'`), without the `$schema` line. */
function payloadSchema(kind: MessageKind): JsonObject {
  const { $schema: _, ...schema } = z.toJSONSchema(MESSAGES[kind].schema, {
    io: 'input',
    target: 'draft-07',
  });
  return { description: MESSAGES[kind].summary, ...(schema as JsonObject) };
}

function message(kind: MessageKind): JsonObject {
  return {
    name: kind,
    title: `${kind} message`,
    summary: MESSAGES[kind].summary,
    contentType: 'application/json',
    payload: ref(`#/components/schemas/${kind}`),
    examples: (fixtures[kind] as Json[]).map((payload, i) => ({ name: `${kind}-${i + 1}`, payload })),
  };
}

interface ChannelSpec {
  id: string;
  address: string;
  kind: MessageKind;
  param: 'deviceId' | 'unitId' | 'workerId';
  description: string;
  operationId: string;
  action: 'send' | 'receive';
  operationSummary: string;
}

function channelSpecs(): ChannelSpec[] {
  const up = UP_KINDS.map(
    (kind): ChannelSpec => ({
      id: `device.${kind}`,
      address: `sl/v1/{deviceId}/${kind}`,
      kind,
      param: 'deviceId',
      description: `${MESSAGES[kind].summary}. Published by the device under its own id only.`,
      operationId: `receive.${kind}`,
      action: 'receive',
      operationSummary: `The hub receives a device's ${kind} message, decodes and validates it once, and fans it out.`,
    }),
  );
  const down = DOWN_KINDS.map(
    (kind): ChannelSpec => ({
      id: `device.down.${kind}`,
      address: `sl/v1/{deviceId}/down/${kind}`,
      kind,
      param: 'deviceId',
      description: `${MESSAGES[kind].summary}. The device subscribes to sl/v1/{deviceId}/down/#.`,
      operationId: `send.${kind}`,
      action: 'send',
      operationSummary: `The hub sends ${kind} to one device.`,
    }),
  );
  return [
    ...up,
    ...down,
    {
      id: 'unit.notice',
      address: 'sl/v1/unit/{unitId}/notice',
      kind: 'notice',
      param: 'unitId',
      description:
        'Notice broadcast to every box in an administrative unit; boxes subscribe to the notice topics of each unit they belong to and deduplicate on noticeId.',
      operationId: 'broadcast.notice',
      action: 'send',
      operationSummary: 'The hub broadcasts a notice to an administrative unit.',
    },
    {
      id: 'worker.alert',
      address: 'sl/v1/worker/{workerId}/alert',
      kind: 'alert',
      param: 'workerId',
      description:
        "Incident paged to a worker's phone, with the deadline after which it escalates to the next level.",
      operationId: 'send.alert',
      action: 'send',
      operationSummary: 'The hub pages a worker about an incident.',
    },
    {
      id: 'worker.ack',
      address: 'sl/v1/worker/{workerId}/ack',
      kind: 'worker-ack',
      param: 'workerId',
      description: "A worker's acknowledgement (or decline) of an alert, published by the worker's phone.",
      operationId: 'receive.worker-ack',
      action: 'receive',
      operationSummary: "The hub receives a worker's acknowledgement and stops escalation.",
    },
    {
      id: 'worker.reply',
      address: 'sl/v1/worker/{workerId}/reply',
      kind: 'worker-reply',
      param: 'workerId',
      description:
        "A responder's phone in the SOS conversation: a short text for the household's TV, or the phone's read receipt for the household's reply.",
      operationId: 'receive.worker-reply',
      action: 'receive',
      operationSummary: "The hub receives a responder's text for the household, or a read receipt.",
    },
  ];
}

/** The AsyncAPI 3.0 document as a plain JSON object. Pure: same schemas, same document. */
export function buildAsyncApi(): JsonObject {
  const specs = channelSpecs();
  const channels: JsonObject = {};
  const operations: JsonObject = {};
  for (const s of specs) {
    channels[s.id] = {
      address: s.address,
      description: s.description,
      messages: { [s.kind]: ref(`#/components/messages/${s.kind}`) },
      parameters: { [s.param]: ref(`#/components/parameters/${s.param}`) },
    };
    operations[s.operationId] = {
      action: s.action,
      channel: ref(`#/channels/${s.id}`),
      summary: s.operationSummary,
      messages: [ref(`#/channels/${s.id}/messages/${s.kind}`)],
      bindings: MQTT_QOS1,
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'SteppeLink MQTT API',
      version: ASYNCAPI_API_VERSION,
      description: [
        "MQTT API between SteppeLink edge agents (household set-top boxes, patrol trackers, collar relays), the hub, and grid workers' phones on the steppe of Bayannur league (Urad Middle Banner 150824, Urad Rear Banner 150825).",
        '',
        `Every payload is a UTF-8 JSON object of at most ${MAX_PAYLOAD_BYTES} bytes carrying \`v\` (schema version, currently 1), \`id\` (unique message id, the idempotency key: redelivered messages are recognised by it) and \`ts\` (epoch milliseconds at the source). All messages use QoS 1.`,
        "Operations are described from the hub's point of view: `receive` is what devices and phones publish, `send` what the hub publishes.",
        '',
        'Generated from the zod schemas in protocols/src by `npm run asyncapi`; do not edit by hand.',
      ].join('\n'),
    },
    defaultContentType: 'application/json',
    servers: {
      embedded: {
        host: 'localhost:1883',
        protocol: 'mqtt',
        protocolVersion: '3.1.1',
        description: [
          "The hub's embedded broker (aedes, MQTT 3.1.1). Deny by default: a device may publish only under its own id and subscribe only to its own down/# and its units' notices; a worker's phone only to its own sl/v1/worker/{workerId}/alert and publish to its ack.",
          'Packets larger than 256 KiB (262,144 bytes, the whole MQTT packet) close the connection unread; a smaller payload the hub refuses is acknowledged and dead-lettered, never answered by a disconnect.',
          'Use a persistent session (clean session off, QoS 1): downlink queued while a client was away is delivered when it returns, and the session survives a hub restart. A client that connects with clean session on, or whose session was lost, must subscribe again after every reconnect (CONNACK session present = 0 says so); a box that subscribes to its down/# again is sent the current state of each of its open incidents once.',
        ].join(' '),
        security: [ref('#/components/securitySchemes/mqttLogin')],
      },
    },
    channels,
    operations,
    components: {
      schemas: Object.fromEntries(MESSAGE_KINDS.map((k) => [k, payloadSchema(k)])),
      messages: Object.fromEntries(MESSAGE_KINDS.map((k) => [k, message(k)])),
      parameters: PARAMETERS,
      securitySchemes: {
        mqttLogin: {
          type: 'userPassword',
          description: [
            'Devices: username = client id = the device id, password = its secret (issued by `steppelink-hub device add/secret`).',
            "People (a worker's phone): username = their dashboard login name, password = their dashboard password; the client id may be anything that is not a device's id. The person id (`workerId` in topics) is not a login name.",
            'Refusals (CONNACK return codes; MQTT 3.1.1 has no reason text, so the hub logs the reason with the account and counts it in steppelink_auth_refused_total): 2 identifier rejected — a device whose client id is not its device id, a person using a device id as client id, or an empty client id with clean session off; 4 bad username or password; 5 not authorized — a disabled device; 3 server unavailable — sign-in throttled, retry later.',
          ].join(' '),
        },
      },
    },
  };
}

/** The committed file's exact text: two-space JSON and a final newline. */
export const renderAsyncApi = (doc: JsonObject): string => `${JSON.stringify(doc, null, 2)}\n`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  writeFileSync(ASYNCAPI_PATH, renderAsyncApi(buildAsyncApi()));
  console.log(`wrote ${ASYNCAPI_PATH}`);
}
