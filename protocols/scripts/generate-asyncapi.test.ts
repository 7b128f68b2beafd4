import { readFileSync } from 'node:fs';
import specs from '@asyncapi/specs';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { anyMessageArb } from '../src/arbitraries.ts';
import { fixtures } from '../src/fixtures.ts';
import { MESSAGE_KINDS, type MessageKind } from '../src/messages.ts';
import { DOWN_KINDS, UP_KINDS } from '../src/topics.ts';
import { ASYNCAPI_PATH, buildAsyncApi, renderAsyncApi } from './generate-asyncapi.ts';

// biome-ignore lint/suspicious/noExplicitAny: walking a JSON document of known shape
type Doc = Record<string, any>;
const doc: Doc = buildAsyncApi();

/** Follows a local `#/a/b` reference. */
const resolve = (ref: string): unknown =>
  ref
    .slice(2)
    .split('/')
    .reduce<unknown>(
      (node, key) => (node as Doc | undefined)?.[key.replace(/~1/g, '/').replace(/~0/g, '~')],
      doc,
    );

describe('asyncapi.json', () => {
  it('is up to date with the schemas', () => {
    const committed = readFileSync(ASYNCAPI_PATH, 'utf8');
    expect(
      committed === renderAsyncApi(buildAsyncApi()),
      'protocols/asyncapi.json is out of date: run `npm run asyncapi` and commit it',
    ).toBe(true);
  });

  it('is a valid AsyncAPI 3.0.0 document (official JSON Schema)', () => {
    // The AsyncAPI schema bundles its own copy of the draft-07 meta-schema: don't load Ajv's as well.
    const ajv = new Ajv({
      meta: false,
      validateSchema: false,
      strict: false,
      validateFormats: false,
      allErrors: true,
    });
    const validateDoc = ajv.compile(specs.schemas['3.0.0']);
    expect(validateDoc(doc), ajv.errorsText(validateDoc.errors)).toBe(true);
  });

  it('describes the API: info, server, a channel, message and QoS 1 operation per kind', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.info.title).toBe('SteppeLink MQTT API');
    expect(doc.servers.embedded).toMatchObject({ host: 'localhost:1883', protocol: 'mqtt' });
    const addresses = Object.values<Doc>(doc.channels).map((c) => c.address);
    expect(addresses).toEqual(
      expect.arrayContaining([
        ...UP_KINDS.map((k) => `sl/v1/{deviceId}/${k}`),
        ...DOWN_KINDS.map((k) => `sl/v1/{deviceId}/down/${k}`),
        'sl/v1/unit/{unitId}/notice',
        'sl/v1/worker/{workerId}/alert',
        'sl/v1/worker/{workerId}/ack',
      ]),
    );
    for (const kind of MESSAGE_KINDS) {
      expect(doc.components.messages[kind], kind).toBeDefined();
      expect(doc.components.schemas[kind], kind).toBeDefined();
      const channels = Object.values<Doc>(doc.channels).filter((c) => c.messages[kind]);
      expect(channels.length, `channel carrying ${kind}`).toBeGreaterThan(0);
    }
    for (const [id, op] of Object.entries<Doc>(doc.operations)) {
      expect(op.bindings.mqtt.qos, id).toBe(1);
      expect(['send', 'receive']).toContain(op.action);
    }
    const actionOf = (address: string) =>
      Object.values<Doc>(doc.operations).find((op) => (resolve(op.channel.$ref) as Doc).address === address)
        ?.action;
    expect(actionOf('sl/v1/{deviceId}/sos')).toBe('receive');
    expect(actionOf('sl/v1/{deviceId}/down/sos-ack')).toBe('send');
    expect(actionOf('sl/v1/unit/{unitId}/notice')).toBe('send');
    expect(actionOf('sl/v1/worker/{workerId}/alert')).toBe('send');
    expect(actionOf('sl/v1/worker/{workerId}/ack')).toBe('receive');
  });

  it('declares every address parameter and resolves every $ref', () => {
    for (const [id, channel] of Object.entries<Doc>(doc.channels)) {
      const params = [...(channel.address as string).matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      expect(Object.keys(channel.parameters).sort(), id).toEqual(params.sort());
      for (const p of Object.values<Doc>(channel.parameters))
        expect((resolve(p.$ref) as Doc).description).toMatch(/\w/);
    }
    const refs = JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g);
    for (const [, ref] of refs) expect(resolve(ref!), ref).toBeDefined();
  });

  it('carries every fixture as an example', () => {
    for (const kind of MESSAGE_KINDS) {
      expect(doc.components.messages[kind].examples.map((e: Doc) => e.payload)).toEqual(fixtures[kind]);
    }
  });

  describe('payload schemas agree with the zod schemas', () => {
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validators = Object.fromEntries(
      MESSAGE_KINDS.map((k) => [k, ajv.compile(doc.components.schemas[k])]),
    ) as Record<MessageKind, ReturnType<typeof ajv.compile>>;

    it('accept every valid message', () => {
      fc.assert(
        fc.property(anyMessageArb, ({ kind, message }) => {
          const wire = JSON.parse(JSON.stringify(message));
          expect(validators[kind](wire), `${kind}: ${ajv.errorsText(validators[kind].errors)}`).toBe(true);
        }),
        { numRuns: 300 },
      );
    });

    it('require what zod requires', () => {
      for (const kind of MESSAGE_KINDS) {
        for (const key of ['v', 'id', 'ts']) {
          const { [key]: _, ...rest } = fixtures[kind][0] as Doc;
          expect(validators[kind](rest), `${kind} without ${key}`).toBe(false);
        }
        expect(validators[kind]({ ...fixtures[kind][0], v: 2 }), `${kind} v=2`).toBe(false);
      }
    });
  });
});
