import { readFileSync } from 'node:fs';
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
});
