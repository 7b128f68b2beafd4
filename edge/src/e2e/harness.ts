import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { UpKind } from '@steppelink/protocols';
import { createAgent, type EdgeAgent } from '../agent.ts';
import type { EdgeConfigInput } from '../config.ts';
import type { InputAdapter } from '../inputs/port.ts';
import type { OutboxStore } from '../outbox/port.ts';
import type { AgentSettings } from '../settings.ts';

/** What a scenario sees arriving upstream: a subscriber on mosquitto, or the hub's store. */
export interface UpstreamObserver {
  /** Unique messages of a kind in arrival order. */
  ofKind(kind: UpKind): { deviceId: string; msg: Record<string, unknown>; order: number }[];
  waitFor(predicate: () => boolean, what: string, guardMs?: number): Promise<void>;
  /** Publishes a downlink message as the hub would. */
  publish(topic: string, payload: unknown): Promise<void>;
  /**
   * Positions the receiving end STORED for a device (the hub's telemetry store), of the messages
   * `ofKind` has reported so far. Absent for a bare broker, where the messages are all there is.
   */
  storedPositions?(deviceId: string): Promise<{ t: number; lat: number; lon: number }[]>;
  close(): Promise<void>;
}

/** The broker (or hub) a scenario runs against. */
export interface ScenarioBroker {
  url: string;
  stop(): Promise<void>;
  restart(): Promise<void>;
  close(): Promise<void>;
  /** Registers a device before it connects (the hub checks credentials; mosquitto allows anyone). */
  provision(device: { deviceId: string; secret: string; units: string[] }): Promise<void>;
  observe(): Promise<UpstreamObserver>;
}

export type ScenarioBrokerFactory = () => Promise<ScenarioBroker>;

export const T0 = 1_764_028_800_000;

export function tempDir(prefix: string): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** An in-process agent with fast reconnects, for scenarios. */
export function testAgent(o: {
  deviceId: string;
  url: string;
  store: OutboxStore;
  units?: string[];
  inputs?: InputAdapter[];
  settings?: Partial<AgentSettings>;
}): EdgeAgent {
  return createAgent({
    deviceId: o.deviceId,
    secret: `${o.deviceId}-secret`,
    hubUrls: [o.url],
    units: o.units ?? [],
    store: o.store,
    inputs: o.inputs ?? [],
    settings: { reconnectInitialMs: 100, reconnectMaxMs: 1_000, hbIntervalS: 3_600, ...o.settings },
  });
}

/** Resolves when the agent's link reaches `state`. */
export function linkState(agent: EdgeAgent, state: string): Promise<void> {
  return new Promise((resolve) => {
    if (agent.stats().link === state) return resolve();
    const off = agent.on('link', (l) => {
      if (l.state === state) {
        off();
        resolve();
      }
    });
  });
}

const BIN = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'steppelink-edge.mjs');

/** The agent as a separate process (`steppelink-edge --config …`), fed through stdin. */
export class CliProcess {
  readonly child: ChildProcess;
  readonly staged: string[] = [];
  readonly log: Record<string, unknown>[] = [];
  #waiters = new Set<() => void>();
  #exited: Promise<number | null>;

  constructor(configPath: string) {
    this.child = spawn(process.execPath, [BIN, '--config', configPath], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.#exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
    this.child.stdin?.on('error', () => {}); // writing into a killed agent is part of the test
    let buf = '';
    this.child.stdout?.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl = buf.indexOf('\n');
      for (; nl !== -1; nl = buf.indexOf('\n')) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          this.log.push(entry);
          if (entry.msg === 'input.staged') this.staged.push(String(entry.item));
        } catch {
          // not a log line
        }
      }
      for (const w of this.#waiters) w();
    });
    this.child.stderr?.on('data', (d: Buffer) => this.log.push({ stderr: d.toString() }));
  }

  static writeConfig(dir: string, config: EdgeConfigInput): string {
    const path = join(dir, `edge-${Date.now()}.json`);
    writeFileSync(path, JSON.stringify(config));
    return path;
  }

  write(line: string): boolean {
    return this.child.stdin?.write(`${line}\n`) ?? false;
  }

  waitFor(predicate: () => boolean, what: string, guardMs = 60_000): Promise<void> {
    if (predicate()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate()) {
          done();
          resolve();
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(
            `agent process: gave up waiting for ${what}; last log: ${JSON.stringify(this.log.slice(-3))}`,
          ),
        );
      }, guardMs);
      const done = () => {
        clearTimeout(timer);
        this.#waiters.delete(check);
      };
      this.#waiters.add(check);
      void this.#exited.then(() => {
        if (this.#waiters.has(check)) {
          done();
          reject(
            new Error(
              `agent process exited while waiting for ${what}: ${JSON.stringify(this.log.slice(-3))}`,
            ),
          );
        }
      });
    });
  }

  /** Power cut: SIGKILL, no chance to flush anything. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.#exited;
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGTERM');
    return this.#exited;
  }
}
