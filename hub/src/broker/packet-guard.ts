/**
 * Bounds the size of one MQTT packet before it is buffered. aedes 1.2 creates its mqtt-packet
 * parser without a maximum, so a client (even before CONNECT is authenticated) could make the
 * broker buffer up to 256 MiB. We wrap the parser's remaining-length step: once a fixed header
 * announces more than `maxPacketBytes`, the parser errors and aedes closes the connection.
 * Payloads between MAX_PAYLOAD_BYTES and this bound still arrive, and ingest acknowledges and
 * dead-letters them as `too_large` (a disconnect would make the client resend them forever).
 */
interface ParserInternals {
  packet: { length: number; cmd?: string };
  _parseLength(): boolean;
  _emitError(err: Error): void;
}

export class PacketTooLargeError extends Error {
  constructor(
    readonly announcedBytes: number,
    readonly maxBytes: number,
  ) {
    super(`packet of ${announcedBytes} bytes exceeds the limit of ${maxBytes} bytes`);
    this.name = 'PacketTooLargeError';
  }
}

/** Returns false when the parser doesn't look like mqtt-packet 9's (the guard is then not installed). */
export function guardPacketSize(parser: unknown, maxPacketBytes: number): boolean {
  const p = parser as ParserInternals;
  if (typeof p?._parseLength !== 'function' || typeof p._emitError !== 'function') return false;
  const parseLength = p._parseLength;
  p._parseLength = function guardedParseLength(this: ParserInternals): boolean {
    const done = parseLength.call(this);
    if (done && this.packet.length > maxPacketBytes) {
      this._emitError(new PacketTooLargeError(this.packet.length, maxPacketBytes));
      return false;
    }
    return done;
  };
  return true;
}
