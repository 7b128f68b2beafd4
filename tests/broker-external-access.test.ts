import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeOrThrow, upTopic } from '@steppelink/protocols';
import { deviceSecret } from '@steppelink/hub/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  apiToken,
  connackCode,
  connect,
  endClient,
  startTestHub,
  type TestHub,
  until,
} from './support/hub.ts';
import { type MosquittoHandle, startMosquitto } from './support/mosquitto.ts';

// Device access for an external broker, on Debian's mosquitto 2.0.11: the password and ACL files
// the hub writes from its registry (and reloads with SIGHUP through mosquitto's pid file), and
// the HTTP auth/ACL endpoint in EMQX 5's and VerneMQ's formats, answered by the hub's own rules.

const HUB = { username: 'steppelink-hub', password: 'hub-broker-password-7f3a9c', group: 'steppelink' };
const SECRET = 'broker-endpoint-secret-2b8e41d7c9a05f63';
const NEW_DEVICE = 'stb-150824-104-0099';
const NEW_SECRET = 'Xq3v9bLr0c8uTg2mWkZ7yA1sHd5eNf4pJt6oVb2Qw9c';
const OLD_DEVICE = 'stb-150824-104-0007'; // imported at hub start: its plain secret never passed the API

const hb = (id: string) =>
  encodeOrThrow('hb', {
    v: 1,
    id,
    ts: Date.now(),
    power: 'mains',
    outbox: 0,
    uptimeS: 60,
    agent: '0.1.0',
  } as never);

describe('device access for an external broker', () => {
  const dir = mkdtempSync(join(tmpdir(), 'steppelink-access-'));
  let broker: MosquittoHandle;
  let th: TestHub;
  let admin: string;
  const api = (method: string, path: string, body: unknown) =>
    fetch(`${th.httpUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const broker5 = (
    path: string,
    body: unknown,
    headers: Record<string, string> = { 'x-steppelink-broker-secret': SECRET },
  ) =>
    fetch(`${th.httpUrl}/broker${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    }).then(async (r) => ({ status: r.status, body: (await r.json()) as Record<string, unknown> }));

  beforeAll(async () => {
    // deny everyone until the hub has written its files
    writeFileSync(join(dir, 'passwd'), '');
    writeFileSync(join(dir, 'acl'), '');
    broker = await startMosquitto({
      extraConfig: [
        'allow_anonymous false',
        `password_file ${join(dir, 'passwd')}`,
        `acl_file ${join(dir, 'acl')}`,
        `pid_file ${join(dir, 'mosquitto.pid')}`,
      ],
    });
    th = await startTestHub({
      externalBroker: { url: broker.url, ...HUB, clientId: 'hub-access-1', consumers: 2 },
      brokerAccess: {
        hub: HUB,
        endpointSecret: SECRET,
        mosquitto: { dir, pidFile: join(dir, 'mosquitto.pid') },
      },
    });
    admin = await apiToken(th.httpUrl, 'liming');
  });
  afterAll(async () => {
    await th?.close();
    await broker?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("writes mosquitto's $7$ password hash as mosquitto_passwd does, and the hub's own account", () => {
    const lines = readFileSync(join(dir, 'passwd'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1); // only the hub: no device secret has passed the API yet
    expect(lines[0]).toMatch(/^steppelink-hub:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
    const acl = readFileSync(join(dir, 'acl'), 'utf8');
    expect(acl).toContain('pattern write sl/v1/%u/+');
    expect(acl).toContain('pattern read sl/v1/%u/down/+');
    expect(th.hub.health().components.broker?.state).toBe('up'); // the hub got in with its own line
    // both consumer connections, under ids derived from the hub's: the files list the hub's account, not its ids
    expect(th.hub.health().components.broker?.connections).toEqual([
      { clientId: 'hub-access-1', state: 'connected', connects: 1 },
      { clientId: 'hub-access-1:2', state: 'connected', connects: 1 },
    ]);
  });

  it('a device added through the registry API can connect once the files are refreshed; the wrong secret is refused', async () => {
    const before = await connackCode(broker.url, {
      clientId: NEW_DEVICE,
      username: NEW_DEVICE,
      password: NEW_SECRET,
    });
    expect(before).not.toBe(0);
    const res = await api('POST', '/api/registry/import', {
      devices: [{ id: NEW_DEVICE, kind: 'settop', household: 'hh-150824-104-0009', secret: NEW_SECRET }],
    });
    expect(res.status).toBe(200);
    await until(async () =>
      (await connackCode(broker.url, {
        clientId: NEW_DEVICE,
        username: NEW_DEVICE,
        password: NEW_SECRET,
      })) === 0
        ? true
        : undefined,
    );
    const wrong = await connackCode(broker.url, {
      clientId: NEW_DEVICE,
      username: NEW_DEVICE,
      password: `${NEW_SECRET}x`,
    });
    expect(wrong).toBe(5); // mosquitto 2.0 answers a bad password "not authorized" to 3.1.1 clients
    // a device the hub only knows by its HMAC hash is not listed: refused until its secret is rotated through the API
    expect(
      await connackCode(broker.url, {
        clientId: OLD_DEVICE,
        username: OLD_DEVICE,
        password: deviceSecret(OLD_DEVICE),
      }),
    ).toBe(5);
  });

  it("mosquitto applies the generated ACL: another device's topics are neither published to nor delivered", async () => {
    const c = await connect(broker.url, { clientId: NEW_DEVICE, username: NEW_DEVICE, password: NEW_SECRET });
    const got: string[] = [];
    c.on('message', (topic) => got.push(topic));
    const granted = await c.subscribeAsync([`sl/v1/${NEW_DEVICE}/down/#`, `sl/v1/${OLD_DEVICE}/down/#`], {
      qos: 1,
    });
    // measured: mosquitto 2.0.11 grants an ACL-denied subscription (SUBACK 1) and checks the ACL
    // on each delivery instead, so nothing on it ever arrives
    expect(granted.map((g) => g.qos)).toEqual([1, 1]);
    await th.hub.publisher.publish(`sl/v1/${OLD_DEVICE}/down/notice`, Buffer.from('{}'), { qos: 1 });
    await th.hub.publisher.publish(`sl/v1/${NEW_DEVICE}/down/notice`, Buffer.from('{}'), { qos: 1 });
    await until(() => (got.includes(`sl/v1/${NEW_DEVICE}/down/notice`) ? true : undefined));
    expect(got).toEqual([`sl/v1/${NEW_DEVICE}/down/notice`]);
    // publishing under another device's id: acknowledged and dropped by mosquitto, never consumed
    await c.publishAsync(upTopic(OLD_DEVICE, 'hb'), hb('forged-1'), { qos: 1 });
    await c.publishAsync(upTopic(NEW_DEVICE, 'hb'), hb('own-1'), { qos: 1 });
    await until(async () => ((await th.hub.ingest.inbox.has(NEW_DEVICE, 'own-1')) ? true : undefined));
    expect(await th.hub.ingest.inbox.has(OLD_DEVICE, 'forged-1')).toBe(false);
    await endClient(c);
  });

  it('a rotated secret replaces the old one, and a disabled device is refused after the refresh', async () => {
    const rotated = await api('POST', `/api/devices/${NEW_DEVICE}/secret`, {});
    const { secret } = (await rotated.json()) as { secret: string };
    await until(async () =>
      (await connackCode(broker.url, { clientId: NEW_DEVICE, username: NEW_DEVICE, password: secret })) === 0
        ? true
        : undefined,
    );
    expect(
      await connackCode(broker.url, { clientId: NEW_DEVICE, username: NEW_DEVICE, password: NEW_SECRET }),
    ).toBe(5);
    const c = await connect(broker.url, { clientId: NEW_DEVICE, username: NEW_DEVICE, password: secret });
    const closed = new Promise<void>((r) => c.once('close', () => r()));
    expect((await api('PATCH', `/api/devices/${NEW_DEVICE}`, { enabled: false })).status).toBe(200);
    await until(async () =>
      (await connackCode(broker.url, { clientId: NEW_DEVICE, username: NEW_DEVICE, password: secret })) !== 0
        ? true
        : undefined,
    );
    await closed; // mosquitto 2.0 also drops the open connection once its reload no longer lists the user
    c.end(true);
  });

  it('answers EMQX 5 HTTP authentication and authorization with the hub rules, deny by default', async () => {
    const dev = 'stb-150824-104-0008';
    const authn = (password: string, clientid = dev) =>
      broker5('/emqx/authn', { clientid, username: dev, password, peerhost: '10.30.0.7' });
    expect((await authn(deviceSecret(dev))).body).toEqual({ result: 'allow', is_superuser: false });
    expect((await authn('guess')).body).toEqual({ result: 'deny', is_superuser: false });
    expect((await authn(deviceSecret(dev), 'someone-else')).body.result).toBe('deny');
    expect(
      (await broker5('/emqx/authn', { username: HUB.username, password: HUB.password })).body.result,
    ).toBe('allow');
    // a hub's further consumer connections (<id>:2, …) sign in with the hub's account too
    for (const clientid of ['hub-access-1', 'hub-access-1:2', 'hub-access-1:16'])
      expect(
        (await broker5('/emqx/authn', { clientid, username: HUB.username, password: HUB.password })).body
          .result,
      ).toBe('allow');
    expect((await broker5('/emqx/authn', {})).body.result).toBe('deny');

    const authz = (username: string, clientid: string, action: string, topic: string) =>
      broker5('/emqx/authz', { username, clientid, action, topic }).then((r) => r.body.result);
    expect(await authz(dev, dev, 'publish', `sl/v1/${dev}/sos`)).toBe('allow');
    expect(await authz(dev, dev, 'publish', `sl/v1/${OLD_DEVICE}/sos`)).toBe('deny');
    expect(await authz(dev, dev, 'subscribe', `sl/v1/${dev}/down/#`)).toBe('allow');
    expect(await authz(dev, dev, 'subscribe', 'sl/v1/#')).toBe('deny');
    expect(await authz(dev, dev, 'subscribe', 'sl/v1/unit/150824-104/notice')).toBe('allow');
    expect(await authz(dev, dev, 'subscribe', 'sl/v1/unit/150825/notice')).toBe('deny');
    expect(await authz(dev, dev, 'retain', `sl/v1/${dev}/sos`)).toBe('deny');
    expect(await authz(HUB.username, 'hub-x', 'subscribe', '$share/steppelink/sl/v1/+/+')).toBe('allow');
    expect(await authz(HUB.username, 'hub-x:3', 'subscribe', '$share/steppelink/sl/v1/+/+')).toBe('allow');
    expect(await authz(HUB.username, 'hub-x', 'publish', 'sl/v1/worker/p-grid-104-007/alert')).toBe('allow');
    expect(await authz(HUB.username, 'hub-x', 'publish', `sl/v1/${dev}/sos`)).toBe('deny');
    expect(await authz('nobody', 'nobody', 'subscribe', 'sl/v1/nobody/down/#')).toBe('deny');

    // no secret, or a wrong one: refused before any rule runs
    expect(
      (
        await broker5(
          '/emqx/authz',
          { username: dev, clientid: dev, action: 'publish', topic: `sl/v1/${dev}/hb` },
          {},
        )
      ).status,
    ).toBe(401);
  });

  it("answers VerneMQ's webhooks (the secret as the last path segment, as vmq_webhooks sends no custom header)", async () => {
    const dev = 'stb-150824-104-0008';
    const hook = (name: string, body: unknown) =>
      fetch(`${th.httpUrl}/broker/vernemq/${SECRET}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'vernemq-hook': name },
        body: JSON.stringify(body),
      }).then((r) => r.json() as Promise<Record<string, unknown>>);
    const reg = {
      peer_addr: '10.30.0.7',
      peer_port: 40_001,
      mountpoint: '',
      client_id: dev,
      username: dev,
      clean_session: false,
    };
    expect(await hook('auth_on_register', { ...reg, password: deviceSecret(dev) })).toEqual({ result: 'ok' });
    expect(await hook('auth_on_register', { ...reg, password: 'guess' })).toEqual({
      result: { error: 'not_allowed' },
    });
    // the hub's second consumer connection registers and subscribes with the hub's account
    const hubReg = { ...reg, client_id: 'hub-access-1:2', username: HUB.username };
    expect(await hook('auth_on_register', { ...hubReg, password: HUB.password })).toEqual({ result: 'ok' });
    expect(
      await hook('auth_on_subscribe', {
        username: HUB.username,
        client_id: 'hub-access-1:2',
        mountpoint: '',
        topics: [{ topic: '$share/steppelink/sl/v1/+/+', qos: 1 }],
      }),
    ).toMatchObject({ result: 'ok', topics: [{ topic: '$share/steppelink/sl/v1/+/+', qos: 1 }] });
    const pub = { username: dev, client_id: dev, mountpoint: '', qos: 1, payload: '', retain: false };
    expect(await hook('auth_on_publish', { ...pub, topic: `sl/v1/${dev}/pos` })).toEqual({ result: 'ok' });
    expect(await hook('auth_on_publish', { ...pub, topic: `sl/v1/${OLD_DEVICE}/pos` })).toEqual({
      result: { error: 'not_allowed' },
    });
    const sub = await hook('auth_on_subscribe', {
      username: dev,
      client_id: dev,
      mountpoint: '',
      topics: [
        { topic: `sl/v1/${dev}/down/#`, qos: 1 },
        { topic: `sl/v1/${OLD_DEVICE}/down/#`, qos: 1 },
      ],
    });
    expect(sub).toEqual({
      result: 'ok',
      topics: [
        { topic: `sl/v1/${dev}/down/#`, qos: 1 },
        { topic: `sl/v1/${OLD_DEVICE}/down/#`, qos: 128 },
      ],
    });
    expect(await hook('on_deliver', { username: dev, client_id: dev, topic: 'x' })).toEqual({
      result: { error: 'not_allowed' },
    });
  });
});
