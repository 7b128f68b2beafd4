import type { Severity } from '@steppelink/protocols';
import { type Db, migrate } from '../state/db.ts';
import { type IncidentPolicy, type PolicyEntry, resolvePolicy, type StoredPolicy } from './policy.ts';

/** SQLite migrations of the policy tables (PostgreSQL: policyPgMigrations in policy-rows.ts). */
export const policyMigrations = [
  // unit '' = league-wide (a primary key column cannot be NULL); one row per (unit, severity),
  // its version bumped by every change; every change also leaves an audit row (who, before, after).
  `CREATE TABLE escalation_policies (
     unit TEXT NOT NULL, severity TEXT NOT NULL, policy TEXT NOT NULL, version INTEGER NOT NULL,
     updated_by TEXT, updated_at INTEGER NOT NULL, PRIMARY KEY (unit, severity)) WITHOUT ROWID;
   CREATE TABLE escalation_policy_audit (
     id INTEGER PRIMARY KEY, at INTEGER NOT NULL, by TEXT, unit TEXT NOT NULL, severity TEXT NOT NULL,
     action TEXT NOT NULL, before TEXT, after TEXT);`,
];

interface Row {
  unit: string;
  severity: Severity;
  policy: string;
  version: number;
  updated_by: string | null;
  updated_at: number;
}

export interface PolicyAudit {
  id: number;
  at: number;
  by: string | null;
  unit: string | null;
  severity: Severity;
  action: 'set' | 'delete';
  before: PolicyEntry['policy'] | null;
  after: PolicyEntry['policy'] | null;
}

const key = (unit: string | null, severity: Severity) => `${unit ?? ''}\u0000${severity}`;

/**
 * Stored escalation policies (SQLite, in state.db), kept in memory so resolving one for a new
 * incident (on the SOS path) reads no row; every write goes through here and updates both.
 */
export class PolicyStore {
  private byKey = new Map<string, StoredPolicy>();

  constructor(
    private readonly db: Db,
    /** A registry import writes its policies section on this connection: reload after it. */
    onChange?: (listener: () => void) => unknown,
  ) {
    migrate(db, 'policies', policyMigrations);
    this.reload();
    onChange?.(() => this.reload());
  }

  reload(): void {
    const rows = this.db.prepare('SELECT * FROM escalation_policies').all() as Row[];
    this.byKey = new Map(
      rows.map((r) => {
        const unit = r.unit === '' ? null : r.unit;
        const p: StoredPolicy = {
          unit,
          severity: r.severity,
          policy: JSON.parse(r.policy) as StoredPolicy['policy'],
          version: r.version,
          updatedBy: r.updated_by,
          updatedAt: r.updated_at,
        };
        return [key(unit, r.severity), p];
      }),
    );
  }

  get(unit: string | null, severity: Severity): StoredPolicy | undefined {
    return this.byKey.get(key(unit, severity));
  }

  list(): StoredPolicy[] {
    return [...this.byKey.values()].sort(
      (a, b) => (a.unit ?? '').localeCompare(b.unit ?? '') || a.severity.localeCompare(b.severity),
    );
  }

  /** The policy a new incident at the end of `chain` (its unit first, then ancestors) gets now. */
  resolve(chain: readonly string[], severity: Severity): IncidentPolicy {
    return resolvePolicy((u, s) => this.get(u, s), chain, severity);
  }

  /** Sets policies (validated by the caller), each with an audit row; one transaction for all. */
  set(entries: readonly PolicyEntry[], by: string | null, at: number): StoredPolicy[] {
    const upsert = this.db.prepare(
      `INSERT INTO escalation_policies (unit, severity, policy, version, updated_by, updated_at)
       VALUES (@unit, @severity, @policy, 1, @by, @at)
       ON CONFLICT (unit, severity) DO UPDATE SET policy = excluded.policy, version = version + 1,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
    );
    const audit = this.auditStatement();
    this.db.transaction(() => {
      for (const e of entries) {
        const before = this.get(e.unit, e.severity);
        if (before && JSON.stringify(before.policy) === JSON.stringify(e.policy)) continue; // unchanged: no new version
        const after = JSON.stringify(e.policy);
        upsert.run({ unit: e.unit ?? '', severity: e.severity, policy: after, by, at });
        audit.run({
          at,
          by,
          unit: e.unit ?? '',
          severity: e.severity,
          action: 'set',
          before: this.json(before),
          after,
        });
      }
    })();
    this.reload();
    return entries.map((e) => this.get(e.unit, e.severity)!);
  }

  /** Removes a unit's policy for a severity (its units inherit from above again). */
  delete(unit: string | null, severity: Severity, by: string | null, at: number): boolean {
    const before = this.get(unit, severity);
    if (!before) return false;
    this.db.transaction(() => {
      this.db
        .prepare('DELETE FROM escalation_policies WHERE unit = ? AND severity = ?')
        .run(unit ?? '', severity);
      this.auditStatement().run({
        at,
        by,
        unit: unit ?? '',
        severity,
        action: 'delete',
        before: this.json(before),
        after: null,
      });
    })();
    this.reload();
    return true;
  }

  /** Changes, newest first. */
  audit(limit = 200): PolicyAudit[] {
    const rows = this.db
      .prepare('SELECT * FROM escalation_policy_audit ORDER BY id DESC LIMIT ?')
      .all(limit) as (Omit<PolicyAudit, 'before' | 'after' | 'unit'> & {
      unit: string;
      before: string | null;
      after: string | null;
    })[];
    return rows.map((r) => ({
      ...r,
      unit: r.unit === '' ? null : r.unit,
      before: r.before ? (JSON.parse(r.before) as PolicyAudit['before']) : null,
      after: r.after ? (JSON.parse(r.after) as PolicyAudit['after']) : null,
    }));
  }

  private json(p: StoredPolicy | undefined): string | null {
    return p ? JSON.stringify(p.policy) : null;
  }

  private auditStatement() {
    return this.db.prepare(
      `INSERT INTO escalation_policy_audit (at, by, unit, severity, action, before, after)
       VALUES (@at, @by, @unit, @severity, @action, @before, @after)`,
    );
  }
}
