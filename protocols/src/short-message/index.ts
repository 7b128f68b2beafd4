// The SOS short message (SMS and BeiDou): `@steppelink/protocols/short-message`. Kept out of the
// package index because it uses node:crypto, which the dashboard's browser bundle must not load.
export * from './sos-short.ts';
export { isCanonicalUlid, ulidFromBytes, ulidToBytes } from './ulid.ts';
