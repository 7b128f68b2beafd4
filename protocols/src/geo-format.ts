/**
 * WGS-84 coordinates as a rescue dispatcher reads them aloud or types them into an aircraft's
 * navigator: decimal degrees, degrees and decimal minutes (aviation and marine radios), degrees
 * minutes seconds, each with its hemisphere letter. Pure; no I/O.
 *
 * Rounding is done once, on the whole value in the smallest unit shown, so a minute or second
 * that rounds up to 60 carries into the next one (41° 59.99996′ shows as 42° 00.0000′, never
 * 41° 60.0000′). A value that rounds to zero is N or E.
 */
export type Axis = 'lat' | 'lon';
export type Hemisphere = 'N' | 'S' | 'E' | 'W';

export interface DegMin {
  hemisphere: Hemisphere;
  degrees: number;
  /** 0 ≤ minutes < 60, rounded to the decimals asked for. */
  minutes: number;
}
export interface DegMinSec {
  hemisphere: Hemisphere;
  degrees: number;
  minutes: number;
  /** 0 ≤ seconds < 60, rounded to the decimals asked for. */
  seconds: number;
}

/** Decimals that keep each form at about 0.2 m on the ground (1e-6° ≈ 0.11 m; 1e-4′ ≈ 0.19 m; 0.01″ ≈ 0.3 m). */
export const GEO_FORMAT_DEFAULTS = { degreeDecimals: 6, minuteDecimals: 4, secondDecimals: 2 } as const;

const LIMIT: Record<Axis, number> = { lat: 90, lon: 180 };

function checked(value: number, axis: Axis): number {
  if (!Number.isFinite(value) || Math.abs(value) > LIMIT[axis]) {
    throw new RangeError(
      `A WGS-84 ${axis === 'lat' ? 'latitude' : 'longitude'} must be a number from -${LIMIT[axis]} to ${LIMIT[axis]} degrees (got ${value}).`,
    );
  }
  return value;
}

function checkedDecimals(d: number): number {
  if (!Number.isInteger(d) || d < 0 || d > 8)
    throw new RangeError(`decimals must be an integer 0–8 (got ${d}).`);
  return d;
}

const hemisphereOf = (value: number, axis: Axis, roundsToZero: boolean): Hemisphere =>
  axis === 'lat' ? (value < 0 && !roundsToZero ? 'S' : 'N') : value < 0 && !roundsToZero ? 'W' : 'E';

/** The value in whole units of 1/(60^parts × 10^decimals) degree, rounded once. */
function units(value: number, parts: number, decimals: number): number {
  return Math.round(Math.abs(value) * 60 ** parts * 10 ** decimals);
}

export function toDegMin(
  value: number,
  axis: Axis,
  minuteDecimals: number = GEO_FORMAT_DEFAULTS.minuteDecimals,
): DegMin {
  const d = checkedDecimals(minuteDecimals);
  const u = units(checked(value, axis), 1, d);
  const perDegree = 60 * 10 ** d;
  return {
    hemisphere: hemisphereOf(value, axis, u === 0),
    degrees: Math.floor(u / perDegree),
    minutes: (u % perDegree) / 10 ** d,
  };
}

export function toDegMinSec(
  value: number,
  axis: Axis,
  secondDecimals: number = GEO_FORMAT_DEFAULTS.secondDecimals,
): DegMinSec {
  const d = checkedDecimals(secondDecimals);
  const u = units(checked(value, axis), 2, d);
  const perMinute = 60 * 10 ** d;
  const totalMinutes = Math.floor(u / perMinute);
  return {
    hemisphere: hemisphereOf(value, axis, u === 0),
    degrees: Math.floor(totalMinutes / 60),
    minutes: totalMinutes % 60,
    seconds: (u % perMinute) / 10 ** d,
  };
}

/** Signed decimal degrees back from degrees-minutes (S and W negative). */
export function fromDegMin(dm: DegMin): number {
  const v = dm.degrees + dm.minutes / 60;
  return dm.hemisphere === 'S' || dm.hemisphere === 'W' ? -v : v;
}

export function fromDegMinSec(dms: DegMinSec): number {
  const v = dms.degrees + dms.minutes / 60 + dms.seconds / 3600;
  return dms.hemisphere === 'S' || dms.hemisphere === 'W' ? -v : v;
}

const pad = (n: number, width: number, decimals: number) => {
  const s = n.toFixed(decimals);
  const whole = decimals > 0 ? s.indexOf('.') : s.length;
  return '0'.repeat(Math.max(0, width - whole)) + s;
};

/** "42.121300° N" */
export function formatDecimalDegrees(
  value: number,
  axis: Axis,
  decimals: number = GEO_FORMAT_DEFAULTS.degreeDecimals,
): string {
  const d = checkedDecimals(decimals);
  const u = units(checked(value, axis), 0, d);
  return `${(u / 10 ** d).toFixed(d)}° ${hemisphereOf(value, axis, u === 0)}`;
}

/** "42° 07.2780′ N" (minutes always two digits before the point). */
export function formatDegMin(
  value: number,
  axis: Axis,
  minuteDecimals: number = GEO_FORMAT_DEFAULTS.minuteDecimals,
): string {
  const dm = toDegMin(value, axis, minuteDecimals);
  return `${dm.degrees}° ${pad(dm.minutes, 2, minuteDecimals)}′ ${dm.hemisphere}`;
}

/** "42° 07′ 16.68″ N" */
export function formatDegMinSec(
  value: number,
  axis: Axis,
  secondDecimals: number = GEO_FORMAT_DEFAULTS.secondDecimals,
): string {
  const dms = toDegMinSec(value, axis, secondDecimals);
  return `${dms.degrees}° ${pad(dms.minutes, 2, 0)}′ ${pad(dms.seconds, 2, secondDecimals)}″ ${dms.hemisphere}`;
}

/** A position in every form, latitude first (as read aloud and as most navigators take it). */
export function formatPosition(lat: number, lon: number) {
  const d = GEO_FORMAT_DEFAULTS.degreeDecimals;
  return {
    /** "42.121300, 108.438200": signed decimal degrees, what a map search box takes */
    decimal: `${checked(lat, 'lat').toFixed(d)}, ${checked(lon, 'lon').toFixed(d)}`,
    dd: `${formatDecimalDegrees(lat, 'lat')} ${formatDecimalDegrees(lon, 'lon')}`,
    dm: `${formatDegMin(lat, 'lat')} ${formatDegMin(lon, 'lon')}`,
    dms: `${formatDegMinSec(lat, 'lat')} ${formatDegMinSec(lon, 'lon')}`,
  };
}
