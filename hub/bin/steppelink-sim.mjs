#!/usr/bin/env node
// The simulated league as its own process (docker-compose's sim service, load tests):
// `steppelink-sim --hub mqtt://hub:1883 --households 2400`. Registers tsx, then runs src/sim/cli.ts.
import { register } from 'tsx/esm/api';

register();
await import('../src/sim/cli.ts');
