import { pbkdf2Sync, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TOPIC_ROOT, TOPIC_VERSION } from '@steppelink/protocols';
import type { Logger } from '../../log.ts';
import { type Db, migrate } from '../../state/db.ts';

/**
 * mosquitto's password file hash, as `mosquitto_passwd` of mosquitto 2.0 writes it:
 * `$7$<iterations>$<base64 salt, 12 bytes>$<base64 PBKDF2-HMAC-SHA512, 64 bytes>`
 * (checked against Debian's 2.0.11 `mosquitto_passwd` and a real CONNECT in the tests).
 */
export function mosquittoHash(password: string, iterations = 101, salt = randomBytes(12)): string {
  const hash = pbkdf2Sync(password, salt, iterations, 64, 'sha512');
  return `$7$${iterations}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

const migrations = [
  `CREATE TABLE broker_device_passwords (
     device_id TEXT PRIMARY KEY,
     registry_hash TEXT NOT NULL,
     broker_hash TEXT NOT NULL
   ) WITHOUT ROWID`,
];

/**
 * What mosquitto needs to check a device's secret: a PBKDF2 hash of the secret itself, which the
 * registry (HMAC under the hub key) can't give. So it is kept here when the hub sees a secret in
 * plain text — issued or rotated through the API, imported with a plain secret — together with
 * the registry hash it belonged to: once the registry holds another hash (rotated elsewhere),
 * the entry is void and the device is left out of the file until its new secret passes by.
 */
export class BrokerPasswords {
  private readonly put;
  private readonly all;

  constructor(db: Db) {
    migrate(db, 'broker-passwords', migrations);
    this.put = db.prepare(
      `INSERT INTO broker_device_passwords (device_id, registry_hash, broker_hash) VALUES (?, ?, ?)
       ON CONFLICT(device_id) DO UPDATE SET registry_hash = excluded.registry_hash, broker_hash = excluded.broker_hash`,
    );
    this.all = db.prepare(
      'SELECT device_id AS id, registry_hash AS registryHash, broker_hash AS hash FROM broker_device_passwords',
    );
  }

  remember(deviceId: string, secret: string, registryHash: string): void {
    this.put.run(deviceId, registryHash, mosquittoHash(secret));
  }

  entries(): { id: string; registryHash: string; hash: string }[] {
    return this.all.all() as { id: string; registryHash: string; hash: string }[];
  }
}

type MaybePromise<T> = T | Promise<T>;
export interface FilesRegistry {
  listDevices(o: {
    limit: number;
    offset: number;
  }): MaybePromise<{ id: string; enabled: boolean; secretHash: string | null }[]>;
  deviceUnitChain(deviceId: string): MaybePromise<string[]>;
}

export interface MosquittoFilesOptions {
  /** folder of `passwd` and `acl` (mosquitto.conf: password_file <dir>/passwd, acl_file <dir>/acl) */
  dir: string;
  /** mosquitto's pid_file: sent SIGHUP after each change so it reloads both files */
  pidFile?: string;
  hub: { username: string; password: string; group: string };
}

/**
 * Writes mosquitto's password and ACL files from the registry: the hub's account, and every
 * enabled device whose secret the hub has a broker hash for. Deny by default: mosquitto refuses
 * whoever is not in the password file, and with an ACL file grants only what it lists. Devices
 * get pattern ACLs on their own topics (`%u` = user name = device id) and one line per unit
 * whose notices they receive. Each file is written to a temporary name and renamed over the old
 * one (a reader never sees half a file); mosquitto is signalled only when something changed.
 */
export class MosquittoFiles {
  private last = '';
  refreshes = 0;
  listed = 0;
  unlisted = 0;

  constructor(
    private readonly registry: FilesRegistry,
    private readonly passwords: BrokerPasswords,
    private readonly o: MosquittoFilesOptions,
    private readonly log: Logger,
  ) {}

  async render(): Promise<{ passwd: string; acl: string; listed: number; unlisted: number }> {
    const root = `${TOPIC_ROOT}/${TOPIC_VERSION}`;
    const known = new Map(this.passwords.entries().map((e) => [e.id, e]));
    const passwd: string[] = [];
    const acl: string[] = [
      '# Written by the SteppeLink hub from its registry; edits are overwritten.',
      '# Devices: user name = client id = device id (mosquitto.conf should refuse other ids for them).',
      `pattern write ${root}/%u/+`,
      `pattern read ${root}/%u/down/+`,
      '',
      `user ${this.o.hub.username}`,
      `topic read ${root}/+/+`,
      `topic read ${root}/worker/+/ack`,
      `topic read ${root}/worker/+/reply`,
      `topic read $share/${this.o.hub.group}/${root}/+/+`,
      `topic read $share/${this.o.hub.group}/${root}/worker/+/ack`,
      `topic read $share/${this.o.hub.group}/${root}/worker/+/reply`,
      `topic write ${root}/+/down/+`,
      `topic write ${root}/unit/+/notice`,
      `topic write ${root}/worker/+/alert`,
    ];
    passwd.push(`${this.o.hub.username}:${this.hubHash()}`);
    let listed = 0;
    let unlisted = 0;
    for (let offset = 0; ; offset += 1000) {
      const page = await this.registry.listDevices({ limit: 1000, offset });
      for (const d of page) {
        const p = known.get(d.id);
        if (!d.enabled || !p || p.registryHash !== d.secretHash) {
          if (d.enabled) unlisted++;
          continue;
        }
        listed++;
        passwd.push(`${d.id}:${p.hash}`);
        const units = await this.registry.deviceUnitChain(d.id);
        if (units.length > 0) {
          acl.push('', `user ${d.id}`, ...units.map((u) => `topic read ${root}/unit/${u}/notice`));
        }
      }
      if (page.length < 1000) break;
    }
    return { passwd: `${passwd.join('\n')}\n`, acl: `${acl.join('\n')}\n`, listed, unlisted };
  }

  /** Writes both files if they changed and asks mosquitto to reload them. Returns whether it wrote. */
  async refresh(): Promise<boolean> {
    const r = await this.render();
    this.listed = r.listed;
    this.unlisted = r.unlisted;
    // the hub's own hash is salted anew each render: compare without the password file's hub line
    const key = `${r.passwd.slice(r.passwd.indexOf('\n'))}\u0000${r.acl}`;
    if (key === this.last) return false;
    writeAtomically(join(this.o.dir, 'passwd'), r.passwd);
    writeAtomically(join(this.o.dir, 'acl'), r.acl);
    this.last = key;
    this.refreshes++;
    const reloaded = this.signal();
    this.log.info(
      { devices: r.listed, withoutBrokerPassword: r.unlisted, reloaded },
      'mosquitto password and ACL files written',
    );
    return true;
  }

  private hubHash(): string {
    return mosquittoHash(this.o.hub.password);
  }

  private signal(): boolean | string {
    if (!this.o.pidFile)
      return 'no pid file: reload mosquitto yourself (kill -HUP, systemctl reload mosquitto)';
    try {
      const pid = Number(readFileSync(this.o.pidFile, 'utf8').trim());
      if (!Number.isInteger(pid) || pid <= 1) return `no pid in ${this.o.pidFile}`;
      process.kill(pid, 'SIGHUP');
      return true;
    } catch (err) {
      this.log.warn({ err, pidFile: this.o.pidFile }, 'could not signal mosquitto to reload its files');
      return false;
    }
  }
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text, { mode: 0o640 });
  renameSync(tmp, path);
}
