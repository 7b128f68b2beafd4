#!/usr/bin/env node
// The hub's command line (registry import, devices, passwords, API tokens). The hub runs its
// TypeScript through tsx; so does this: register the loader, then hand over to src/cli.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
