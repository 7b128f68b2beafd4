import { timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { parseTopic } from '@steppelink/protocols';
import { Hono } from 'hono';
import type { AuthGuard } from '../../auth/guard.ts';
import { normalizeAddress } from '../../auth/guard.ts';
import type { Logger } from '../../log.ts';
import { type Identity, mayPublish, maySubscribe } from '../acl.ts';
import type { AuthOutcome, ConnectInfo } from '../auth.ts';
import { sharedFilters } from './options.ts';

type MaybePromise<T> = T | Promise<T>;
export interface AccessRegistry {
  getDevice(id: string): MaybePromise<{ id: string; enabled: boolean } | undefined>;
  personByUsername(username: string): MaybePromise<{ id: string; username: string | null } | undefined>;
  deviceUnitChain(deviceId: string): MaybePromise<string[]>;
}

export interface BrokerEndpointDeps {
  /** the hub's device and person authentication (broker/auth.ts), with its attempt limiter */
  authenticator: { authenticate(c: ConnectInfo): Promise<AuthOutcome> };
  registry: AccessRegistry;
  guard: AuthGuard;
  log: Logger;
  /** shared secret the broker sends in `X-SteppeLink-Broker-Secret` */
  secret: string;
  /** the hubs' own account at the broker: they consume the shared subscriptions and publish downlink */
  hub: { username: string; password: string; group: string };
}

export const SECRET_HEADER = 'x-steppelink-broker-secret';
type Who = Identity | 'hub' | null;
type Action = 'publish' | 'subscribe';

const safeEqual = (a: string, b: string): boolean => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Device and person authentication and the topic ACL served to an external broker over HTTP,
 * with the hub's own rules (broker/auth.ts for credentials, broker/acl.ts for topics): one
 * implementation for the embedded broker and every external one. Deny by default: anything the
 * rules do not allow, cannot parse or do not know is refused, never "ignored".
 *
 * - EMQX 5 HTTP authentication: `POST /broker/emqx/authn` with body
 *   `{"clientid":"${clientid}","username":"${username}","password":"${password}","peerhost":"${peerhost}"}`,
 *   answered `{"result":"allow"|"deny","is_superuser":false}`.
 * - EMQX 5 HTTP authorization: `POST /broker/emqx/authz` with body
 *   `{"clientid":"${clientid}","username":"${username}","action":"${action}","topic":"${topic}"}`,
 *   answered `{"result":"allow"|"deny"}`.
 * - VerneMQ webhooks: `POST /broker/vernemq` (or `/broker/vernemq/<secret>`, as vmq_webhooks
 *   sends no custom header) with the hook in `vernemq-hook`: auth_on_register(_m5),
 *   auth_on_publish(_m5), auth_on_subscribe(_m5), answered `{"result":"ok"}` or
 *   `{"result":{"error":"not_allowed"}}`.
 *
 * Every request must carry the shared secret (header `X-SteppeLink-Broker-Secret`); a wrong one
 * counts against the caller's address in the hub's attempt limiter, like a bad sign-in.
 * Credential checks go through the same limiter as CONNECTs to the embedded broker, keyed by the
 * device's or phone's address as the broker reports it (`peerhost`, `peer_addr`).
 */
export function brokerEndpoint(d: BrokerEndpointDeps) {
  const identify = async (username: string, clientId: string): Promise<Who> => {
    if (username === d.hub.username) return 'hub';
    const device = await d.registry.getDevice(username);
    if (device) {
      if (!device.enabled || clientId !== device.id) return null;
      return {
        type: 'device',
        deviceId: device.id,
        units: new Set(await d.registry.deviceUnitChain(device.id)),
      };
    }
    const person = await d.registry.personByUsername(username);
    if (!person || (await d.registry.getDevice(clientId))) return null;
    return { type: 'person', personId: person.id, username };
  };
  const hubFilters = new Set(sharedFilters(d.hub.group));
  const allowed = (who: Who, action: Action, topic: string): boolean => {
    if (who === null) return false;
    if (who === 'hub') {
      if (action === 'subscribe')
        return hubFilters.has(topic) || hubFilters.has(`$share/${d.hub.group}/${topic}`);
      const t = parseTopic(topic);
      return (
        t.ok && (t.value.type === 'down' || t.value.type === 'unit-notice' || t.value.type === 'worker-alert')
      );
    }
    if (action === 'subscribe') return maySubscribe(who, topic);
    const t = parseTopic(topic);
    return t.ok && mayPublish(who, t.value);
  };
  const authenticate = async (b: Record<string, unknown>, address: string): Promise<boolean> => {
    const username = str(b.username);
    const password = str(b.password);
    if (username === d.hub.username) return password !== '' && safeEqual(password, d.hub.password);
    const r = await d.authenticator.authenticate({
      username: username || undefined,
      password: password ? Buffer.from(password, 'utf8') : undefined,
      clientId: str(b.clientid ?? b.client_id),
      clean: b.clean_session !== false && b.clean_start !== false,
      address: normalizeAddress(str(b.peerhost ?? b.peer_addr) || address),
    });
    if (!r.ok) d.log.info({ username, reason: r.reason }, 'broker connection refused');
    return r.ok;
  };

  return new Hono<{ Variables: { address: string } }>()
    .use('*', async (c, next) => {
      const address = normalizeAddress(getConnInfo(c).remote.address);
      const given = c.req.header(SECRET_HEADER) ?? /^\/vernemq\/([^/]+)$/.exec(c.req.path)?.[1] ?? '';
      const admitted = d.guard.begin('http', { account: 'broker-endpoint', address });
      if (!admitted.ok) {
        c.header('Retry-After', String(Math.ceil(admitted.retryAfterMs / 1000)));
        return c.json({ result: 'deny' }, 429);
      }
      if (!safeEqual(given, d.secret)) {
        d.guard.fail('http', admitted.ticket, 'wrong broker endpoint secret');
        return c.json({ result: 'deny' }, 401);
      }
      d.guard.succeed(admitted.ticket);
      c.set('address', address);
      await next();
    })
    .post('/emqx/authn', async (c) => {
      const ok = await authenticate(await body(c.req.raw), c.get('address'));
      return c.json({ result: ok ? 'allow' : 'deny', is_superuser: false });
    })
    .post('/emqx/authz', async (c) => {
      const b = await body(c.req.raw);
      const who = await identify(str(b.username), str(b.clientid));
      const action = str(b.action);
      const ok = (action === 'publish' || action === 'subscribe') && allowed(who, action, str(b.topic));
      return c.json({ result: ok ? 'allow' : 'deny' });
    })
    .post('/vernemq/:secret?', async (c) => {
      const hook = (c.req.header('vernemq-hook') ?? '').replace(/_m5$/, '');
      const m5 = (c.req.header('vernemq-hook') ?? '').endsWith('_m5');
      const b = await body(c.req.raw);
      const deny = c.json({ result: { error: 'not_allowed' } });
      if (hook === 'auth_on_register')
        return (await authenticate(b, c.get('address'))) ? c.json({ result: 'ok' }) : deny;
      const who = await identify(str(b.username), str(b.client_id));
      if (hook === 'auth_on_publish')
        return allowed(who, 'publish', str(b.topic)) ? c.json({ result: 'ok' }) : deny;
      if (hook === 'auth_on_subscribe') {
        const topics = Array.isArray(b.topics) ? (b.topics as { topic?: unknown; qos?: unknown }[]) : [];
        if (topics.length === 0) return deny;
        const refused = m5 ? 135 : 128; // MQTT 5 "not authorized"; 3.1.1 SUBACK failure
        const granted = topics.map((t) => ({
          topic: str(t.topic),
          qos: allowed(who, 'subscribe', str(t.topic)) ? Math.min(1, Number(t.qos) || 0) : refused,
        }));
        if (granted.every((g) => g.qos === refused)) return deny;
        return c.json(
          m5 ? { result: 'ok', modifiers: { topics: granted } } : { result: 'ok', topics: granted },
        );
      }
      return deny;
    });
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');

async function body(req: Request): Promise<Record<string, unknown>> {
  try {
    const v: unknown = await req.json();
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}
