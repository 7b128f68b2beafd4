import { z } from 'zod';

/**
 * One topic segment naming a device, unit or worker. MQTT reserves `+`, `#` and `/`
 * [MQTT-4.7.1]; we also refuse whitespace, control characters and `$` (broker-internal topics)
 * and keep ids short so a topic fits comfortably in a constrained device's buffers.
 */
export const ID_MAX_LENGTH = 64;
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export const idSegmentSchema = z
  .string()
  .min(1, { message: 'must not be empty' })
  .max(ID_MAX_LENGTH, { message: `must be at most ${ID_MAX_LENGTH} characters` })
  .regex(ID_PATTERN, {
    message:
      'may use only letters, digits and . _ : - (no +, #, / or spaces) and must start with a letter or digit',
  });

export const deviceIdSchema = idSegmentSchema.describe('Device id: the MQTT username and the topic segment');
export const unitIdSchema = idSegmentSchema.describe(
  'Administrative unit id (league, banner, sumu, gacha or grid)',
);
export const workerIdSchema = idSegmentSchema.describe('Person id of a grid worker or officer');

/** Message ids are the idempotency key: unique per source, at most 64 characters (a ULID is 26). */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9._:-]+$/;
export const messageIdSchema = z
  .string()
  .min(1)
  .max(ID_MAX_LENGTH)
  .regex(MESSAGE_ID_PATTERN, { message: 'may use only letters, digits and . _ : -' });

export function isValidId(value: string): boolean {
  return (
    typeof value === 'string' && value.length > 0 && value.length <= ID_MAX_LENGTH && ID_PATTERN.test(value)
  );
}
