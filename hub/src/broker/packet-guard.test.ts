import { describe, expect, it } from 'vitest';
import { guardPacketSize, PacketTooLargeError } from './packet-guard.ts';

/** The two members of mqtt-packet's parser the guard relies on. */
function fakeParser(announced: number) {
  const errors: Error[] = [];
  const parser = {
    packet: { length: -1 },
    _parseLength() {
      this.packet.length = announced;
      return true;
    },
    _emitError(err: Error) {
      errors.push(err);
    },
  };
  return { parser, errors };
}

describe('packet size guard', () => {
  it('errors as soon as a fixed header announces more than the bound', () => {
    const { parser, errors } = fakeParser(400 * 1024);
    expect(guardPacketSize(parser, 256 * 1024)).toBe(true);
    expect(parser._parseLength()).toBe(false);
    expect(errors[0]).toBeInstanceOf(PacketTooLargeError);
    expect(errors[0]?.message).toMatch(/409600 bytes exceeds the limit of 262144/);
  });
  it('lets packets within the bound through', () => {
    const { parser, errors } = fakeParser(70 * 1024);
    guardPacketSize(parser, 256 * 1024);
    expect(parser._parseLength()).toBe(true);
    expect(errors).toEqual([]);
  });
  it('reports when the parser is not the expected shape', () => {
    expect(guardPacketSize({}, 1024)).toBe(false);
  });
});
