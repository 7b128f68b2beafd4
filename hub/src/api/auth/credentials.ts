import { createHash, randomBytes } from 'node:crypto';
import type { Clock } from '../../clock.ts';
import { ulidAt } from '../../ids.ts';
import { type Db, migrate } from '../../state/db.ts';
import { authMigrations } from './migrations.ts';

/**
 * Sessions and API tokens, both kept only as SHA-256 hashes of 32 random bytes: a copy of the
 * database never yields a usable credential, and a high-entropy value needs no slow KDF.
 * Prefixes tell the two apart in an `Authorization: Bearer` header (and in a leaked-secret scan).
 */
export const SESSION_PREFIX = 'sls_';
export const TOKEN_PREFIX = 'slt_';

export const hashCredential = (value: string): string => createHash('sha256').update(value).digest('hex');
const fresh = (prefix: string) => prefix + randomBytes(32).toString('base64url');

export interface SessionInfo {
  personId: string;
  client: 'browser' | 'app';
  expiresAt: number;
  /** true when this lookup moved `expiresAt` forward (the cookie should be re-sent) */
  renewed: boolean;
}
export type SessionLookup = { ok: true; session: SessionInfo } | { ok: false; reason: 'unknown' | 'expired' };

export interface TokenRecord {
  id: string;
  personId: string;
  label: string;
  createdBy: string | null;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

type Row = Record<string, unknown>;
const RENEW_EVERY_MS = 60_000; // write a sliding renewal at most once a minute per session

export class CredentialStore {
  private readonly st;

  constructor(
    db: Db,
    private readonly clock: Clock,
    private readonly opts: { sessionIdleMs: number; sessionMaxMs: number },
  ) {
    migrate(db, 'api-auth', authMigrations);
    this.st = {
      insertSession: db.prepare(
        'INSERT INTO api_sessions (id_hash, person, client, created_at, last_seen_at, expires_at, max_expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      session: db.prepare('SELECT * FROM api_sessions WHERE id_hash = ?'),
      renew: db.prepare('UPDATE api_sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?'),
      deleteSession: db.prepare('DELETE FROM api_sessions WHERE id_hash = ?'),
      deletePersonSessions: db.prepare('DELETE FROM api_sessions WHERE person = ?'),
      purge: db.prepare('DELETE FROM api_sessions WHERE expires_at <= ?'),
      insertToken: db.prepare(
        'INSERT INTO api_tokens (id, hash, person, label, created_by, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      tokenByHash: db.prepare('SELECT * FROM api_tokens WHERE hash = ?'),
      tokenById: db.prepare('SELECT * FROM api_tokens WHERE id = ?'),
      touchToken: db.prepare('UPDATE api_tokens SET last_used_at = ? WHERE id = ?'),
      revokeToken: db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      tokens: db.prepare('SELECT * FROM api_tokens ORDER BY created_at DESC, id DESC'),
    };
  }

  // ---- sessions ----
  /** Starts a session; the returned value is shown once (cookie or login body) and stored hashed. */
  createSession(personId: string, client: SessionInfo['client']): { token: string; expiresAt: number } {
    const now = this.clock.now();
    this.st.purge.run(now); // keeps the table as small as the number of live sessions
    const token = fresh(SESSION_PREFIX);
    const expiresAt = now + this.opts.sessionIdleMs;
    this.st.insertSession.run(
      hashCredential(token),
      personId,
      client,
      now,
      now,
      expiresAt,
      now + this.opts.sessionMaxMs,
    );
    return { token, expiresAt };
  }

  /** Looks a session up and slides its expiry forward (never past its maximum lifetime). */
  useSession(token: string): SessionLookup {
    if (!token.startsWith(SESSION_PREFIX)) return { ok: false, reason: 'unknown' };
    const idHash = hashCredential(token);
    const r = this.st.session.get(idHash) as Row | undefined;
    if (!r) return { ok: false, reason: 'unknown' };
    const now = this.clock.now();
    if ((r.expires_at as number) <= now) {
      this.st.deleteSession.run(idHash);
      return { ok: false, reason: 'expired' };
    }
    let expiresAt = r.expires_at as number;
    let renewed = false;
    if (now - (r.last_seen_at as number) >= RENEW_EVERY_MS) {
      expiresAt = Math.min(now + this.opts.sessionIdleMs, r.max_expires_at as number);
      this.st.renew.run(now, expiresAt, idHash);
      renewed = true;
    }
    return {
      ok: true,
      session: {
        personId: r.person as string,
        client: r.client as SessionInfo['client'],
        expiresAt,
        renewed,
      },
    };
  }

  endSession(token: string): void {
    this.st.deleteSession.run(hashCredential(token));
  }
  /** Signs a person out everywhere (after a password change). Returns how many sessions ended. */
  endSessionsOf(personId: string): number {
    return this.st.deletePersonSessions.run(personId).changes;
  }

  // ---- API tokens ----
  createToken(p: { personId: string; label: string; createdBy: string | null; expiresAt: number | null }): {
    token: string;
    record: TokenRecord;
  } {
    const token = fresh(TOKEN_PREFIX);
    const id = ulidAt(this.clock.now());
    this.st.insertToken.run(
      id,
      hashCredential(token),
      p.personId,
      p.label,
      p.createdBy,
      this.clock.now(),
      p.expiresAt,
    );
    return { token, record: this.getToken(id)! };
  }

  /** The token's record when it is valid now (not revoked, not expired); records its use. */
  useToken(token: string): TokenRecord | undefined {
    if (!token.startsWith(TOKEN_PREFIX)) return undefined;
    const r = this.st.tokenByHash.get(hashCredential(token)) as Row | undefined;
    if (!r) return undefined;
    const t = toToken(r);
    const now = this.clock.now();
    if (t.revokedAt !== null || (t.expiresAt !== null && t.expiresAt <= now)) return undefined;
    if (t.lastUsedAt === null || now - t.lastUsedAt >= RENEW_EVERY_MS) this.st.touchToken.run(now, t.id);
    return t;
  }

  getToken(id: string): TokenRecord | undefined {
    const r = this.st.tokenById.get(id) as Row | undefined;
    return r ? toToken(r) : undefined;
  }
  listTokens(): TokenRecord[] {
    return (this.st.tokens.all() as Row[]).map(toToken);
  }
  revokeToken(id: string): boolean {
    return this.st.revokeToken.run(this.clock.now(), id).changes === 1;
  }
}

function toToken(r: Row): TokenRecord {
  return {
    id: r.id as string,
    personId: r.person as string,
    label: r.label as string,
    createdBy: (r.created_by as string | null) ?? null,
    createdAt: r.created_at as number,
    expiresAt: (r.expires_at as number | null) ?? null,
    lastUsedAt: (r.last_used_at as number | null) ?? null,
    revokedAt: (r.revoked_at as number | null) ?? null,
  };
}
