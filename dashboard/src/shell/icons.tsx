/** Line icons drawn inline (no icon font, no emoji font needed on the wall screen). */
const PATHS = {
  board: 'M12 3 2 20h20L12 3zm0 6v5m0 3v.5',
  map: 'M3 6l6-3 6 3 6-3v15l-6 3-6-3-6 3V6zm6-3v15m6-12v15',
  devices: 'M5 12a7 7 0 0 1 14 0M8 12a4 4 0 0 1 8 0M12 12v9m-4 0h8',
  stats: 'M4 20V10m6 10V4m6 16v-7m4 7H2',
  broadcast: 'M3 10v4h4l6 4V6L7 10H3zm14-2a5 5 0 0 1 0 8m2-11a9 9 0 0 1 0 14',
  worker: 'M7 2h10v20H7zM11 18h2',
  policies: 'M4 5h16M4 12h10M4 19h6m10-7v7m-3-3 3 3 3-3',
  drills: 'M12 3a9 9 0 1 0 0 18 9 9 0 0 0 0-18zm0 4a5 5 0 1 0 0 10 5 5 0 0 0 0-10zm0 4v2',
  sound: 'M3 10v4h4l6 4V6L7 10H3zm14 0 4 4m0-4-4 4',
} as const;
export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 20 }: { name: IconName; size?: number }) {
  return (
    <svg
      class="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      stroke-width="1.8"
      stroke-linecap="round"
      stroke-linejoin="round"
      aria-hidden="true"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
