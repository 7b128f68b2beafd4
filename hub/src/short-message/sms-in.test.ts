import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../cli.ts';
import { checkSignature, SIGNATURE_HEADER } from './signature.ts';

const SECRET = 'gw-secret-0123456789';

describe('steppelink-hub sms-in (gammu-smsd RunOnReceive)', () => {
  const got: { body: string; ok: boolean }[] = [];
  let url = '';
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => {
      body += c;
    });
    req.on('end', () => {
      const ok = checkSignature(SECRET, req.headers[SIGNATURE_HEADER] as string, body, Date.now()).ok;
      got.push({ body, ok });
      res.writeHead(ok ? 200 : 401, { 'content-type': 'application/json' }).end('{"status":"accepted"}');
    });
  });
  beforeAll(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const run = (argv: string[], env: Record<string, string>) => {
    const out: string[] = [];
    const err: string[] = [];
    const io = {
      stdout: (l: string) => out.push(l),
      stderr: (l: string) => err.push(l),
      readStdin: async () => '',
      env,
    };
    return main(argv, io).then((code) => ({ code, out, err }));
  };

  it('posts the message gammu-smsd put in the environment, signed, with its id', async () => {
    const r = await run(['sms-in', '42'], {
      STEPPELINK_GATEWAY_SECRET: SECRET,
      STEPPELINK_HUB_URL: url,
      SMS_MESSAGES: '2',
      SMS_1_NUMBER: '+86 147-0000-0007',
      SMS_1_TEXT: 'SL1 EQ',
      SMS_2_TEXT: 'NzdGI',
    });
    expect(r.code).toBe(0);
    expect(got.at(-1)).toEqual({
      ok: true,
      body: JSON.stringify({
        path: 'sms',
        from: '+8614700000007',
        body: 'SL1 EQNzdGI',
        messageId: 'gammu:42',
      }),
    });
  });

  it('says what is missing instead of posting', async () => {
    expect((await run(['sms-in'], { STEPPELINK_HUB_URL: url })).code).toBe(2);
    expect((await run(['sms-in'], { STEPPELINK_GATEWAY_SECRET: SECRET, STEPPELINK_HUB_URL: url })).code).toBe(
      2,
    );
    const wrong = await run(['sms-in', '--from', '1', '--text', 'x'], {
      STEPPELINK_GATEWAY_SECRET: 'other',
      STEPPELINK_HUB_URL: url,
    });
    expect(wrong.code).toBe(1);
    expect(wrong.err.join('')).toContain('HTTP 401');
  });
});
