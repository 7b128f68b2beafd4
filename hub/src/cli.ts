import { parseArgs } from 'node:util';
import {
  deviceAdd,
  deviceEnabled,
  deviceSecret,
  type Flags,
  importCommand,
  personPasswd,
  tokenCreate,
} from './cli/commands.ts';
import { type CliIo, dataDirOf, openState, processIo, UsageError } from './cli/io.ts';
import { smsIn } from './short-message/sms-in.ts';

export const USAGE = `usage: steppelink-hub <command> [--data-dir DIR]

  import FILE [--sheet households|devices]    import a registry JSON document or a CSV sheet
  device add --id ID --kind KIND (--household HH | --team TEAM) [--label TEXT]
                                              add a device; prints its new secret once
  device secret ID                            rotate a device's secret; prints it once
  device disable ID | device enable ID        refuse / allow a device's connections
  person passwd USERNAME                      set a password, read from standard input
  token create --person ID [--label TEXT] [--days N]
                                              create an API token; prints it once
  sms-in [--from NUMBER --text TEXT] [ID...]  hand one received SMS to the running hub's gateway
                                              (gammu-smsd RunOnReceive; see README)

The state database is <data dir>/state.db; the data dir is --data-dir, else
STEPPELINK_DATA_DIR, else ./data. Exit codes: 0 done, 1 refused or invalid input, 2 usage.`;

const COMMANDS = {
  import: importCommand,
  'device add': deviceAdd,
  'device secret': deviceSecret,
  'device disable': deviceEnabled(false),
  'device enable': deviceEnabled(true),
  'person passwd': personPasswd,
  'token create': tokenCreate,
} as const;

const OPTIONS = {
  'data-dir': { type: 'string' },
  sheet: { type: 'string' },
  id: { type: 'string' },
  kind: { type: 'string' },
  household: { type: 'string' },
  team: { type: 'string' },
  label: { type: 'string' },
  person: { type: 'string' },
  days: { type: 'string' },
  from: { type: 'string' },
  text: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Runs one command; resolves to the process exit code. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (e) {
    io.stderr(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    io.stderr(USAGE);
    return values.help ? 0 : 2;
  }
  const [first = '', second = '', ...rest] = positionals;
  // talks to the running hub over HTTP: no state database opened
  if (first === 'sms-in') return smsIn(positionals.slice(1), values, io.env, io);
  const [name, args] = first === 'import' ? ['import', positionals.slice(1)] : [`${first} ${second}`, rest];
  const command = COMMANDS[name as keyof typeof COMMANDS];
  if (!command) {
    io.stderr(`unknown command "${name.trim()}"\n\n${USAGE}`);
    return 2;
  }
  const { 'data-dir': dataDir, help: _, ...flags } = values;
  const state = openState(dataDirOf(dataDir, io.env));
  try {
    return await command(args, flags as Flags, state, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`${name}: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    throw e;
  } finally {
    state.close();
  }
}
