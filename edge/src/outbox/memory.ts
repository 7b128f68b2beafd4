import { EDGE_DEFAULTS } from '../defaults.ts';
import {
  type Cursor,
  EVICTABLE,
  emptyByPriority,
  type NewEntry,
  type OutboxEntry,
  type OutboxLimits,
  type OutboxStats,
  type OutboxStore,
  PRIORITY_NAMES,
  type PutResult,
  priorityOf,
  type StagedItem,
} from './port.ts';
import { okStatus } from './storage.ts';
import { SeqQueue } from './seq-queue.ts';

/**
 * In-memory outbox for the simulator (thousands of agents in one process) and tests: one
 * seq-ordered queue per priority. Same contract as the SQLite adapter, minus durability.
 */
export function createMemoryOutbox(limits: Partial<OutboxLimits> = {}): OutboxStore {
  const maxBytes = limits.maxBytes ?? EDGE_DEFAULTS.outboxMaxBytes;
  const maxMessages = limits.maxMessages ?? EDGE_DEFAULTS.outboxMaxMessages;
  const queues = PRIORITY_NAMES.map(() => new SeqQueue<OutboxEntry>());
  let seq = 0;
  let sid = 0;
  let bytes = 0;
  let count = 0;
  let evicted = 0;
  let staged: StagedItem[] = [];
  const meta = new Map<string, string>();
  let closed = false;

  const check = () => {
    if (closed) throw new Error('outbox is closed');
  };
  const drop = (e: OutboxEntry) => {
    count--;
    bytes -= e.payload.byteLength;
  };
  const evict = (): number => {
    let n = 0;
    for (const prio of EVICTABLE) {
      const q = queues[prio];
      while (q && (bytes > maxBytes || count > maxMessages)) {
        const oldest = q.oldest();
        if (!oldest) break;
        q.delete(oldest.seq);
        drop(oldest);
        n++;
      }
    }
    return n;
  };
  const insert = (entry: NewEntry): PutResult => {
    const e: OutboxEntry = { ...entry, seq: ++seq, prio: priorityOf(entry.kind) };
    queues[e.prio]?.push(e);
    count++;
    bytes += e.payload.byteLength;
    const n = evict();
    evicted += n;
    return { seq: e.seq, evicted: n };
  };

  return {
    adapter: 'memory',
    put(entry) {
      check();
      return insert(entry);
    },
    putMany(entries) {
      check();
      return entries.map(insert);
    },
    next(limit, after?: Cursor) {
      check();
      const out: OutboxEntry[] = [];
      for (let prio = Math.max(0, after?.prio ?? 0); prio < queues.length && out.length < limit; prio++) {
        const q = queues[prio];
        if (!q) continue;
        for (const e of q.after(after && prio === after.prio ? after.seq : undefined)) {
          out.push(e);
          if (out.length >= limit) break;
        }
      }
      return out;
    },
    remove(seqs) {
      check();
      let n = 0;
      for (const s of seqs) {
        for (const q of queues) {
          const e = q.delete(s);
          if (e) {
            drop(e);
            n++;
            break;
          }
        }
      }
      return n;
    },
    stats(): OutboxStats {
      const byPriority = emptyByPriority();
      PRIORITY_NAMES.forEach((name, i) => {
        byPriority[name] = queues[i]?.size ?? 0;
      });
      return { count, bytes, byPriority, evicted, staged: staged.length };
    },
    stage(stream, item) {
      check();
      staged.push({ sid: ++sid, stream, item });
      return sid;
    },
    staged(stream) {
      return stream === undefined ? [...staged] : staged.filter((s) => s.stream === stream);
    },
    commitStaged(stream, uptoSid, entry) {
      check();
      staged = staged.filter((s) => s.stream !== stream || s.sid > uptoSid);
      return insert(entry);
    },
    dropStaged(stream, uptoSid) {
      check();
      const before = staged.length;
      staged = staged.filter((s) => s.stream !== stream || s.sid > uptoSid);
      return before - staged.length;
    },
    getMeta: (key) => meta.get(key),
    setMeta(key, value) {
      check();
      meta.set(key, value);
    },
    storage: () => okStatus(),
    probe: () => true,
    close() {
      closed = true;
    },
  };
}
