import { describe, expect, it } from 'vitest';
import { defaultRescue } from './rescue.ts';

describe('defaultRescue', () => {
  it('does not send a helicopter to a power cut', () => {
    expect(defaultRescue('power-cut')).toBe('worker');
    expect(defaultRescue('stray')).toBe('worker');
    expect(defaultRescue('medical')).toBe('ambulance');
    expect(defaultRescue('lost-person')).toBe('patrol');
    expect(defaultRescue('unknown')).toBe('helicopter');
  });
});
