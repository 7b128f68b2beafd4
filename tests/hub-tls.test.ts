import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOrThrow, fixtures, upTopic } from '@steppelink/protocols';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connackCode, connect, deviceLogin, endClient, type TestHub, startTestHub } from './support/hub.ts';

const BOX = 'stb-150825-201-0021';

describe('MQTT over TLS with certificate files from config', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steppelink-tls-'));
  const certFile = join(dir, 'hub.crt');
  const keyFile = join(dir, 'hub.key');
  let th: TestHub;
  beforeAll(async () => {
    // a throwaway self-signed certificate for the banner hub's loopback name
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-addext',
        'subjectAltName=IP:127.0.0.1,DNS:localhost',
        '-keyout',
        keyFile,
        '-out',
        certFile,
      ],
      { stdio: 'ignore' },
    );
    th = await startTestHub({ tls: { port: 0, certFile, keyFile } });
  });
  afterAll(async () => {
    await th?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('accepts a device that trusts the hub’s certificate, with the same authentication', async () => {
    const ca = readFileSync(certFile);
    const box = await connect(th.tlsUrl!, deviceLogin(BOX, { ca, rejectUnauthorized: true }));
    await box.publishAsync(upTopic(BOX, 'receipt'), encodeOrThrow('receipt', fixtures.receipt[0]!), {
      qos: 1,
    });
    expect(th.hub.ingest.inbox.has(BOX, fixtures.receipt[0]!.id)).toBe(true);
    await endClient(box);
    expect(await connackCode(th.tlsUrl!, { ...deviceLogin(BOX), password: 'wrong', ca })).toBe(4);
  });
});
