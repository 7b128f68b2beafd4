export { freePort, waitForPort } from '../../tests/support/ports.ts';
