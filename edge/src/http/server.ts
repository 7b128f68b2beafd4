import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CANNED_REPLIES,
  CANNED_REPLY_TEXTS,
  messageIdSchema,
  sosCategorySchema,
} from '@steppelink/protocols';
import { z } from 'zod';
import type { EdgeAgent } from '../agent.ts';
import { EDGE_DEFAULTS } from '../defaults.ts';
import type { SosResult } from '../sos.ts';
import { STORAGE_TEXTS } from '../texts.ts';
import { noticePage } from './page.ts';

export interface LocalServerOptions {
  agent: EdgeAgent;
  host?: string;
  /** 0 picks a free port (tests). */
  port?: number;
  /** Origins of a TV app served elsewhere that may call the API (CORS). Same-origin always works. */
  allowOrigins?: readonly string[];
  maxBodyBytes?: number;
}

export type LocalServerState = 'idle' | 'listening' | 'closed';

const pressBody = z.strictObject({ category: sosCategorySchema.optional() });
const cancelBody = z.strictObject({ confirm: z.literal(true).optional() });
/** Checked again by the agent (code in the list, text within the short-text limits). */
const replyBody = z.strictObject({
  canned: z.string().max(64).optional(),
  text: z.string().max(2000).optional(),
});
/** The replies the TV offers, each in every language (the page shows the household's). */
const REPLIES = CANNED_REPLIES.map((code) => ({ code, texts: CANNED_REPLY_TEXTS[code] }));

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The agent's local HTTP endpoints on 127.0.0.1, for the set-top box's TV app and browser:
 *   POST /sos                 press the SOS key            → 202 + status
 *   POST /sos/cancel          ask to cancel; {"confirm":true} confirms it
 *   GET  /sos/status          what to show: "sending…", "received by …"
 *   POST /sos/reply           the household answers during its SOS: {"canned":"need-doctor"} and/or {"text":"…"}
 *   GET  /sos/messages        the SOS conversation and the replies offered; POST /sos/messages/:id/read
 *   GET  /                    the notice page;  GET /api/notices, POST /api/notices/:id/read
 *   GET  /health              agent stats
 * POSTs must be JSON (so a cross-site page cannot fire one without a CORS preflight we refuse),
 * and the Host header must be loopback (no DNS rebinding).
 */
export class LocalServer {
  readonly #o: Required<LocalServerOptions>;
  readonly #server: Server;
  #state: LocalServerState = 'idle';

  constructor(options: LocalServerOptions) {
    this.#o = {
      host: EDGE_DEFAULTS.httpHost,
      port: EDGE_DEFAULTS.httpPort,
      allowOrigins: [],
      maxBodyBytes: EDGE_DEFAULTS.httpMaxBodyBytes,
      ...options,
    };
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((error: unknown) => {
        const status = error instanceof HttpError ? error.status : 500;
        send(res, status, { error: error instanceof Error ? error.message : 'internal error' });
      });
    });
  }

  get state(): LocalServerState {
    return this.#state;
  }

  /** The bound address (after start). */
  get port(): number {
    return (this.#server.address() as AddressInfo | null)?.port ?? this.#o.port;
  }

  get url(): string {
    return `http://${this.#o.host}:${this.port}`;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(this.#o.port, this.#o.host, () => {
        this.#server.off('error', reject);
        this.#state = 'listening';
        resolve();
      });
    });
  }

  close(): Promise<void> {
    if (this.#state !== 'listening') {
      this.#state = 'closed';
      return Promise.resolve();
    }
    this.#state = 'closed';
    return new Promise((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const host = (req.headers.host ?? '').replace(/:\d+$/, '');
    if (!['127.0.0.1', 'localhost', '[::1]'].includes(host) && !/^127\.\d+\.\d+\.\d+$/.test(host)) {
      throw new HttpError(421, 'Host must be 127.0.0.1 or localhost');
    }
    const origin = req.headers.origin;
    if (origin && this.#o.allowOrigins.includes(origin)) {
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('vary', 'origin');
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const agent = this.#o.agent;

    if (method === 'OPTIONS') {
      if (!origin || !this.#o.allowOrigins.includes(origin)) throw new HttpError(403, 'origin not allowed');
      res.setHeader('access-control-allow-methods', 'GET, POST');
      res.setHeader('access-control-allow-headers', 'content-type');
      res.writeHead(204).end();
      return;
    }
    if (method === 'GET' && path === '/') {
      const q = url.searchParams.get('lang');
      const lang = q === 'zh' || q === 'mn' || q === 'en' ? q : agent.settings.lang;
      res
        .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
        .end(noticePage(lang));
      return;
    }
    if (method === 'GET' && path === '/sos/status') return send(res, 200, agent.sos.status());
    if (method === 'GET' && path === '/health') return send(res, 200, agent.stats());
    if (method === 'GET' && path === '/sos/messages') {
      return send(res, 200, { lines: agent.talk.lines(), replies: REPLIES });
    }
    if (method === 'GET' && path === '/api/notices') {
      const notices = agent
        .activeNotices()
        .map((s) => ({ ...s.notice, receivedAt: s.receivedAt, readAt: s.readAt }));
      const storage = agent.stats().storage.state;
      return send(res, 200, {
        lang: agent.settings.lang,
        notices,
        sos: agent.sos.status(),
        talk: agent.talk.lines(),
        replies: REPLIES,
        ...(storage !== 'ok' ? { storageText: STORAGE_TEXTS[storage] } : {}),
      });
    }
    if (method !== 'POST')
      throw new HttpError(
        path === '/' || path.startsWith('/sos') || path.startsWith('/api') ? 405 : 404,
        `no route for ${method} ${path}`,
      );

    const body = await readJson(req, this.#o.maxBodyBytes);
    if (path === '/sos') {
      const b = parse(pressBody, body);
      return sendSos(res, agent.input.sosPress('http', b.category), 202);
    }
    if (path === '/sos/cancel') {
      const b = parse(cancelBody, body);
      return sendSos(
        res,
        b.confirm ? agent.input.sosConfirmCancel('http') : agent.input.sosCancel('http'),
        200,
      );
    }
    if (path === '/sos/reply') {
      const r = agent.input.sosReply('http', parse(replyBody, body));
      if (r.ok) return send(res, 202, { line: r.line });
      const status = r.code === 'write-failed' ? 503 : r.code === 'no-sos' ? 409 : 400;
      return send(res, status, { error: r.message, code: r.code });
    }
    const talkRead = /^\/sos\/messages\/([^/]+)\/read$/.exec(path);
    if (talkRead?.[1]) {
      const id = messageIdSchema.safeParse(decodeURIComponent(talkRead[1]));
      if (!id.success) throw new HttpError(400, 'messageId: not a valid id');
      const outcome = agent.talk.markRead(id.data);
      return send(res, outcome === 'unknown' ? 404 : 200, { outcome });
    }
    const read = /^\/api\/notices\/([^/]+)\/read$/.exec(path);
    if (read?.[1]) {
      const id = messageIdSchema.safeParse(decodeURIComponent(read[1]));
      if (!id.success) throw new HttpError(400, 'noticeId: not a valid id');
      const outcome = agent.markNoticeRead(id.data);
      return send(res, outcome === 'unknown' ? 404 : 200, { outcome });
    }
    throw new HttpError(404, `no route for ${method} ${path}`);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res
    .writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
    .end(JSON.stringify(body));
}

function sendSos(res: ServerResponse, r: SosResult, okStatus: number): void {
  if (r.ok) {
    send(res, okStatus, r.status);
    return;
  }
  const status = r.code === 'write-failed' ? 503 : 409;
  send(res, status, { error: r.message, code: r.code, status: r.status });
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const i = r.error.issues[0];
  const where = i && i.path.length > 0 ? `${i.path.join('.')}: ` : '';
  throw new HttpError(
    400,
    `${where}${i?.code === 'unrecognized_keys' ? `unknown field(s) ${i.keys.join(', ')}` : (i?.message ?? 'invalid body')}`,
  );
}

async function readJson(req: IncomingMessage, max: number): Promise<unknown> {
  const type = req.headers['content-type'] ?? '';
  if (!type.startsWith('application/json')) throw new HttpError(415, 'send the body as application/json');
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).byteLength;
    if (size > max) throw new HttpError(413, `body larger than ${max} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}
