import Database from 'better-sqlite3';
import { type HubChild, startHubProcess } from './hub.ts';

export interface ExternalHubProcess extends HubChild {
  httpUrl: string;
}

/**
 * Runs the hub as `npm start` does (node --import tsx hub/src/main.ts) in external broker mode
 * (STEPPELINK_BROKER=external plus `env`), HTTP on an ephemeral loopback port; resolves once it
 * prints that it consumes through the broker and where its HTTP API listens.
 */
export function spawnExternalHub(env: Record<string, string>): Promise<ExternalHubProcess> {
  return startHubProcess({ STEPPELINK_BROKER: 'external', ...env }, 'before it was running', (out) => {
    const httpPort = /HTTP\s+http:\/\/[^:]+:(\d+)/.exec(out)?.[1];
    return httpPort && /MQTT\s+through the broker/.test(out)
      ? { httpUrl: `http://127.0.0.1:${httpPort}` }
      : undefined;
  });
}

/** SIGKILLs a hub process (no shutdown at all) and waits for it to be gone. */
export async function killHub(h: ExternalHubProcess): Promise<void> {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return;
  h.child.kill('SIGKILL');
  await h.exited;
}

/** Stops a hub process gracefully (SIGTERM) and returns its exit. */
export async function stopHub(h: ExternalHubProcess): Promise<{ code: number | null }> {
  if (h.child.exitCode !== null || h.child.signalCode !== null) return { code: h.child.exitCode };
  h.child.kill('SIGTERM');
  return h.exited;
}

/**
 * The message ids a hub's state.db holds in its inbox, per sender, counted (read-only; safe
 * while the hub runs, WAL mode). Each (sender, id) is stored at most once by construction, so a
 * count above 1 across several hubs' inboxes means two hubs took the same message.
 */
export function inboxIds(stateDb: string): Map<string, number> {
  const db = new Database(stateDb, { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare('SELECT sender, msg_id AS id FROM inbox').all() as {
      sender: string;
      id: string;
    }[];
    const out = new Map<string, number>();
    for (const r of rows) out.set(`${r.sender}|${r.id}`, (out.get(`${r.sender}|${r.id}`) ?? 0) + 1);
    return out;
  } finally {
    db.close();
  }
}
