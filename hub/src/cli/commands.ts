import { authDefaults } from '../api/auth/options.ts';
import { CredentialStore } from '../api/auth/credentials.ts';
import { systemClock } from '../clock.ts';
import type { Sheet } from '../registry/csv-columns.ts';
import { formatIssue } from '../registry/import-errors.ts';
import { describeSummary, importFile } from '../registry/import.ts';
import { deviceKindSchema } from '../registry/schema.ts';
import { generateSecret, hashSecret } from '../registry/secrets.ts';
import { MessageKeys } from '../short-message/keys.ts';
import { type CliIo, type StateHandle, UsageError } from './io.ts';

export type Flags = Record<string, string | undefined>;
type Command = (args: string[], flags: Flags, state: StateHandle, io: CliIo) => Promise<number> | number;

const need = (flags: Flags, name: string): string => {
  const v = flags[name];
  if (!v) throw new UsageError(`--${name} is required`);
  return v;
};
const one = (args: string[], what: string): string => {
  if (args.length !== 1) throw new UsageError(`give exactly one ${what}`);
  return args[0]!;
};

export const importCommand: Command = async (args, flags, { registry }, io) => {
  const file = one(args, 'FILE');
  const sheet = flags.sheet;
  if (sheet !== undefined && sheet !== 'households' && sheet !== 'devices') {
    throw new UsageError('--sheet is households or devices');
  }
  const r = await importFile(registry, file, sheet ? { sheet: sheet as Sheet } : {});
  if (!r.ok) {
    for (const e of r.errors) io.stderr(formatIssue(e, file));
    io.stderr(`${r.errors.length} problem(s); nothing was imported`);
    return 1;
  }
  io.stderr(`imported ${describeSummary(r.summary)} from ${file}`);
  for (const w of r.warnings) io.stderr(`warning: ${w}`);
  return 0;
};

export const deviceAdd: Command = async (_args, flags, { registry, db, dataDir }, io) => {
  const id = need(flags, 'id');
  const kind = deviceKindSchema.safeParse(need(flags, 'kind'));
  if (!kind.success) throw new UsageError(`--kind is one of ${deviceKindSchema.options.join(', ')}`);
  if ((flags.household === undefined) === (flags.team === undefined)) {
    throw new UsageError('give either --household HH or --team TEAM');
  }
  if (registry.getDevice(id)) {
    io.stderr(`device ${id} already exists; rotate its secret with: steppelink-hub device secret ${id}`);
    return 1;
  }
  const secret = generateSecret();
  const device = {
    id,
    kind: kind.data,
    enabled: true,
    secret: registry.deviceSecretHash(secret),
    ...(flags.household ? { household: flags.household } : {}),
    ...(flags.team ? { team: flags.team } : {}),
    ...(flags.label ? { label: flags.label } : {}),
  };
  const r = await registry.importDocument({
    units: [],
    households: [],
    teams: [],
    people: [],
    devices: [device],
  });
  if (!r.ok) {
    for (const e of r.errors) io.stderr(`${e.field ?? 'device'}: ${e.reason}`);
    return 1;
  }
  // its SMS/BeiDou path works from now on, before the box ever connects (see short-message/keys.ts)
  MessageKeys.open(db, dataDir).learn(id, secret);
  io.stderr(`added ${kind.data} ${id}; its secret follows, shown once — enter it on the device now:`);
  io.stdout(secret);
  return 0;
};

export const deviceSecret: Command = async (args, _flags, { registry, db, dataDir }, io) => {
  const id = one(args, 'device ID');
  const secret = generateSecret();
  if (!(await registry.setDeviceSecretHash(id, registry.deviceSecretHash(secret)))) {
    io.stderr(`no device ${id}`);
    return 1;
  }
  MessageKeys.open(db, dataDir).learn(id, secret);
  io.stderr(`new secret for ${id}, shown once; the old one no longer works:`);
  io.stdout(secret);
  return 0;
};

export const deviceEnabled =
  (enabled: boolean): Command =>
  async (args, _flags, { registry }, io) => {
    const id = one(args, 'device ID');
    if (!(await registry.setDeviceEnabled(id, enabled))) {
      io.stderr(`no device ${id}`);
      return 1;
    }
    io.stderr(`${id} ${enabled ? 'enabled' : 'disabled'}`);
    return 0;
  };

export const personPasswd: Command = async (args, _flags, { db, registry }, io) => {
  const username = one(args, 'USERNAME');
  const person = registry.personByUsername(username);
  if (!person) {
    io.stderr(`no person signs in as ${username}`);
    return 1;
  }
  const password = (await io.readStdin()).split(/\r?\n/)[0] ?? '';
  if (password.length < 8) {
    io.stderr('the new password (first line of standard input) must be at least 8 characters');
    return 1;
  }
  await registry.setPasswordHash(person.id, hashSecret(password, 'password'));
  const ended = new CredentialStore(db, systemClock, authDefaults).endSessionsOf(person.id);
  io.stderr(`password of ${username} (${person.name}) changed; ${ended} session(s) signed out`);
  return 0;
};

export const tokenCreate: Command = (_args, flags, { db, registry }, io) => {
  const personId = need(flags, 'person');
  const person = registry.getPerson(personId);
  if (!person) {
    io.stderr(`no person ${personId}`);
    return 1;
  }
  const days = flags.days === undefined ? undefined : Number(flags.days);
  if (days !== undefined && !(Number.isInteger(days) && days >= 1 && days <= authDefaults.tokenMaxDays)) {
    throw new UsageError(`--days is a whole number from 1 to ${authDefaults.tokenMaxDays}`);
  }
  const { token, record } = new CredentialStore(db, systemClock, authDefaults).createToken({
    personId,
    label: flags.label ?? 'created with steppelink-hub token create',
    createdBy: null,
    expiresAt: days ? Date.now() + days * 24 * 3600_000 : null,
  });
  io.stderr(
    `API token ${record.id} for ${person.name} (${personId}), shown once; send it as Authorization: Bearer <token>:`,
  );
  io.stdout(token);
  return 0;
};
