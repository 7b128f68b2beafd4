#!/usr/bin/env node
// SteppeLink edge agent. Runs the TypeScript sources through tsx (no build step on the device).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');

const stopSignal = new Promise((resolve) => {
  for (const sig of ['SIGTERM', 'SIGINT']) process.once(sig, () => resolve(sig));
});
process.on('uncaughtException', (error) => {
  // The outbox is durable; exiting lets systemd restart a clean process.
  process.stderr.write(
    `${JSON.stringify({ t: Date.now(), level: 'error', msg: 'uncaught', error: String(error?.stack ?? error) })}\n`,
  );
  process.exit(1);
});
const code = await main(process.argv.slice(2), {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  stopSignal,
});
process.exit(code);
