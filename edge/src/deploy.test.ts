import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEVICE_NODE_FLAGS } from './defaults.ts';

describe('systemd unit', () => {
  it('starts node with the device flags the benchmark measures', () => {
    const unit = readFileSync(new URL('../deploy/steppelink-edge.service', import.meta.url), 'utf8');
    const execStart = unit.split('\n').find((l) => l.startsWith('ExecStart='));
    expect(execStart).toBe(
      `ExecStart=/usr/bin/node ${DEVICE_NODE_FLAGS.join(' ')} /opt/steppelink/edge/bin/steppelink-edge.mjs --config /etc/steppelink/edge.json`,
    );
  });

  it('keeps StartLimitIntervalSec in [Unit], where systemd reads it', () => {
    const unit = readFileSync(new URL('../deploy/steppelink-edge.service', import.meta.url), 'utf8');
    const sections = unit.split(/^(?=\[)/m);
    const unitSection = sections.find((s) => s.startsWith('[Unit]')) ?? '';
    expect(unitSection).toMatch(/^StartLimitIntervalSec=0$/m);
    for (const s of sections.filter((x) => !x.startsWith('[Unit]'))) expect(s).not.toMatch(/^StartLimit/m);
  });

  it.skipIf(!existsSync('/usr/bin/systemd-analyze'))(
    'passes systemd-analyze verify without a warning',
    () => {
      const path = fileURLToPath(new URL('../deploy/steppelink-edge.service', import.meta.url));
      const r = spawnSync('/usr/bin/systemd-analyze', ['verify', path], { encoding: 'utf8' });
      expect(r.status).toBe(0);
      // systemd-analyze exits 0 on unknown or misplaced keys: it only warns, so read what it says.
      expect(r.stderr).not.toMatch(/Unknown key|ignoring|Invalid|Failed/i);
    },
  );
});
