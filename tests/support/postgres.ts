import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  chownSync,
  createWriteStream,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { freePort } from './ports.ts';

/**
 * A real PostgreSQL server (Debian's `postgresql` package) for tests: `initdb` into a temp dir,
 * `postgres` on a free loopback port with its socket in that dir, trust auth for the superuser
 * `steppelink` on 127.0.0.1 only, durability off (fsync, synchronous_commit: a test cluster is
 * thrown away). PostgreSQL refuses to run as root, and CI runs as root: then the server and
 * initdb run as the `postgres` system user the package creates (or STEPPELINK_PG_USER), and the
 * temp dir is handed to that user. As anyone else they run as the current user.
 *
 * One server per test file: `startPostgres()` in beforeAll, `stop()` in afterAll. `stop()` also
 * removes the dir; a test run that dies without calling it kills the server and removes the dir
 * at process exit.
 */
export interface PostgresHandle {
  host: string;
  port: number;
  /** the superuser tests connect as */
  user: string;
  /** temp dir holding data/, the socket and postgres.log */
  dir: string;
  /** Connection settings for `database` (default `postgres`), optionally with `schema` first on the search path. */
  config(database?: string, schema?: string): pg.ClientConfig;
  /** Creates an empty database (named `name`, or a fresh generated name); returns its name. */
  createDatabase(name?: string): Promise<string>;
  /** Creates an empty schema in `database` and returns settings that put it first on the search path. */
  createSchema(database: string, name?: string): Promise<{ schema: string; config: pg.ClientConfig }>;
  /** Stops the server (fast shutdown, then SIGKILL) and removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export interface PostgresOptions {
  /** directory with initdb and postgres (default: STEPPELINK_PG_BIN, else the newest /usr/lib/postgresql/N/bin) */
  binDir?: string;
  /** the system user to run the server as when the tests run as root (default STEPPELINK_PG_USER or postgres) */
  rootRunsAs?: string;
  /** how long to wait for the server to accept a connection */
  startTimeoutMs?: number;
  /** how long a fast shutdown may take before SIGKILL */
  stopTimeoutMs?: number;
}

const defaults = {
  binDir: process.env.STEPPELINK_PG_BIN ?? '',
  rootRunsAs: process.env.STEPPELINK_PG_USER ?? 'postgres', // Debian's postgresql package creates it
  startTimeoutMs: 30_000, // a cold start on a busy 2-core CI box takes a second or two
  stopTimeoutMs: 10_000, // a fast shutdown of a test cluster takes well under a second
} satisfies Required<PostgresOptions>;

const USER = 'steppelink';
const SETPRIV = '/usr/bin/setpriv';

/** The newest installed server version's bin dir, e.g. /usr/lib/postgresql/15/bin. */
export function postgresBinDir(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => /^\d+$/.test(v) && existsSync(join(base, v, 'bin', 'postgres')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length === 0) {
    throw new Error(
      `no PostgreSQL server under ${base}/*/bin: install Debian's postgresql package (apt-get install postgresql) or set STEPPELINK_PG_BIN to a directory holding initdb and postgres.`,
    );
  }
  return join(base, versions[0]!, 'bin');
}

/** uid and gid of a system user, to run the server as when we are root. */
function systemUser(name: string): { uid: number; gid: number } {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new Error(
      `PostgreSQL refuses to run as root and there is no system user "${name}" to run it as: install Debian's postgresql package (it creates the postgres user) or set STEPPELINK_PG_USER to an existing unprivileged user.`,
    );
  }
}

const running = new Map<ChildProcess, string>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // a test run that dies before afterAll must not leave servers or 40 MB data dirs behind
  process.once('exit', () => {
    for (const [child, dir] of running) {
      child.kill('SIGKILL'); // its backends notice the postmaster is gone and exit
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {}
    }
  });
}

function waitExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ident = (s: string) => {
  if (!/^[a-z_][a-z0-9_]*$/.test(s)) throw new Error(`not a plain SQL identifier: ${s}`);
  return s;
};

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresHandle> {
  const o = { ...defaults, ...options };
  const bin = o.binDir || postgresBinDir();
  const asRoot = process.getuid?.() === 0;
  const runAs = asRoot ? systemUser(o.rootRunsAs) : undefined;
  const dir = mkdtempSync(join(tmpdir(), 'steppelink-pg-'));
  // the server's user owns the dir (mkdtemp made it 0700): initdb wants an empty data dir it owns
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
  const data = join(dir, 'data');
  const logPath = join(dir, 'postgres.log');
  const host = '127.0.0.1';
  const spawnAs = { ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C', HOME: dir } };
  installExitHook();

  const logTail = () => {
    try {
      return readFileSync(logPath, 'utf8').slice(-2_000);
    } catch {
      return '';
    }
  };

  let child: ChildProcess | undefined;
  let removed = false;
  const remove = () => {
    if (removed) return;
    removed = true;
    rmSync(dir, { recursive: true, force: true });
  };
  const halt = async () => {
    const proc = child;
    child = undefined;
    if (!proc) return;
    proc.kill('SIGINT'); // fast shutdown: ends sessions, no wait for clients
    if (!(await waitExit(proc, o.stopTimeoutMs))) {
      proc.kill('SIGKILL');
      await waitExit(proc, o.stopTimeoutMs);
    }
    running.delete(proc);
  };

  const launch = async (port: number): Promise<'up' | 'port-taken' | 'exited' | 'timeout'> => {
    const log = createWriteStream(logPath, { flags: 'a' });
    const args = [
      ...['-D', data, '-p', String(port), '-h', host, '-k', dir],
      // a throw-away test cluster: no durability, little memory, quiet
      ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ...['-c', 'shared_buffers=16MB', '-c', 'max_connections=60', '-c', 'log_min_messages=warning'],
    ];
    // Through setpriv (util-linux) where there is one: the kernel kills the server when the test
    // process dies without running its exit hook (SIGKILL, a crashed worker); setpriv sets that
    // after switching user, so it holds for the postgres user too.
    const proc = existsSync(SETPRIV)
      ? spawn(
          SETPRIV,
          [
            ...['--pdeathsig', 'KILL'],
            ...(runAs ? ['--reuid', String(runAs.uid), '--regid', String(runAs.gid), '--clear-groups'] : []),
            ...['--', join(bin, 'postgres'), ...args],
          ],
          { env: spawnAs.env, stdio: ['ignore', 'pipe', 'pipe'] },
        )
      : spawn(join(bin, 'postgres'), args, { ...spawnAs, stdio: ['ignore', 'pipe', 'pipe'] });
    proc.stdout?.pipe(log);
    proc.stderr?.pipe(log);
    let said = '';
    proc.stderr?.on('data', (d: Buffer) => {
      said = (said + d.toString()).slice(-4_000);
    });
    child = proc;
    running.set(proc, dir);
    let exited = false;
    proc.once('close', () => {
      exited = true; // 'close': exited, and all it said is in `said`
      running.delete(proc);
    });
    proc.once('error', () => {
      exited = true;
    });
    const deadline = Date.now() + o.startTimeoutMs;
    for (;;) {
      const c = new pg.Client({
        host,
        port,
        user: USER,
        database: 'postgres',
        connectionTimeoutMillis: 1_000,
      });
      c.on('error', () => {});
      try {
        await c.connect();
        await c.end();
        return 'up';
      } catch {
        await c.end().catch(() => {});
      }
      if (exited) {
        child = undefined;
        return /could not bind|Address already in use|could not create any TCP\/IP sockets/.test(said)
          ? 'port-taken'
          : 'exited';
      }
      if (Date.now() > deadline) return 'timeout';
      await sleep(50);
    }
  };

  let port = 0;
  try {
    // C locale with UTF-8: text sorts by bytes, as SQLite's BINARY collation does
    execFileSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', USER, '--auth=trust', '--locale=C', '-E', 'UTF8', '--no-sync', '--no-instructions'],
      { ...spawnAs, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    // The port was free a moment ago; another test file may take it before postgres binds it.
    // Then postgres exits at once, saying so, and it is started again on another one.
    for (let attempt = 1; ; attempt++) {
      port = await freePort(host);
      const outcome = await launch(port);
      if (outcome === 'up') break;
      if (outcome === 'port-taken' && attempt < 3) continue;
      throw new Error(
        `postgres (${bin}) did not accept connections on ${host}:${port} (${outcome}); log tail:\n${logTail()}`,
      );
    }
  } catch (err) {
    await halt();
    remove();
    if (err instanceof Error && 'stderr' in err && err.stderr) {
      throw new Error(`initdb failed: ${String(err.stderr).trim()}`);
    }
    throw err;
  }

  let counter = 0;
  const config = (database = 'postgres', schema?: string): pg.ClientConfig => ({
    host,
    port,
    user: USER,
    database,
    ...(schema ? { options: `-c search_path=${ident(schema)}` } : {}),
  });
  const admin = async (database: string, statement: string) => {
    const c = new pg.Client(config(database));
    await c.connect();
    try {
      await c.query(statement);
    } finally {
      await c.end();
    }
  };

  return {
    host,
    port,
    user: USER,
    dir,
    config,
    async createDatabase(name) {
      const db = ident(name ?? `t${process.pid}_${++counter}`);
      await admin('postgres', `CREATE DATABASE ${db}`);
      return db;
    },
    async createSchema(database, name) {
      const schema = ident(name ?? `s${++counter}`);
      await admin(database, `CREATE SCHEMA ${schema}`);
      return { schema, config: config(database, schema) };
    },
    async stop() {
      await halt();
      remove();
    },
  };
}

/**
 * One server and one database for a test file: started in beforeAll, stopped (dir removed) in
 * afterAll, even when tests fail. `schema()` creates a fresh schema in that database and returns
 * connection settings that put it first on the search path (a clean slate per test case).
 */
export function postgresForFile(options: PostgresOptions = {}): {
  readonly server: PostgresHandle;
  readonly database: string;
  schema(): Promise<{ schema: string; config: pg.ClientConfig }>;
} {
  let server: PostgresHandle | undefined;
  let database = '';
  beforeAll(async () => {
    server = await startPostgres(options);
    database = await server.createDatabase();
  });
  afterAll(async () => {
    await server?.stop();
  });
  const started = () => {
    if (!server)
      throw new Error('postgresForFile(): the server starts in beforeAll; use it inside a test or hook');
    return server;
  };
  return {
    get server() {
      return started();
    },
    get database() {
      return started() && database;
    },
    schema: () => started().createSchema(database),
  };
}
