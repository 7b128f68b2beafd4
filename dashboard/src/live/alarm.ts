import { createStore } from '../store.ts';

/**
 * The audible alarm: a two-tone siren from WebAudio (no sound file to ship), repeating while any
 * alarming incident is unacknowledged. Browsers start audio only after a gesture on the page, so
 * `soundStore` says whether sound is actually audible; the board shows a button to enable it.
 */
export const soundStore = createStore<'on' | 'blocked'>('blocked');

const PATTERN = [
  { hz: 880, ms: 220 },
  { hz: 660, ms: 220 },
  { hz: 880, ms: 220 },
];
const REPEAT_MS = 1600; // siren burst, then a pause long enough to speak over

let ctx: AudioContext | null = null;
let timer: ReturnType<typeof setInterval> | null = null;

function audio(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor = globalThis.AudioContext;
  if (!Ctor) return null;
  ctx = new Ctor();
  ctx.onstatechange = () => soundStore.set(ctx?.state === 'running' ? 'on' : 'blocked');
  return ctx;
}

/** Call from a click/keypress (sign-in, the sound button): unlocks audio for the session. */
export async function unlockSound(): Promise<void> {
  const a = audio();
  if (!a) return;
  try {
    await a.resume();
  } catch {
    // still blocked; the button stays
  }
  soundStore.set(a.state === 'running' ? 'on' : 'blocked');
}

function burst(): boolean {
  const a = audio();
  if (a?.state !== 'running') return false;
  let t = a.currentTime + 0.02;
  for (const step of PATTERN) {
    const osc = a.createOscillator();
    const gain = a.createGain();
    osc.type = 'square';
    osc.frequency.value = step.hz;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.25, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + step.ms / 1000);
    osc.connect(gain).connect(a.destination);
    osc.start(t);
    osc.stop(t + step.ms / 1000 + 0.02);
    t += step.ms / 1000 + 0.04;
  }
  return true;
}

/** Number of siren bursts actually played (audio running): lets a browser test see the alarm sounds. */
export let alarmBursts = 0;

/** Starts or stops the repeating siren. Idempotent. */
export function setAlarm(active: boolean): void {
  if (active && !timer) {
    const tick = () => {
      if (!burst()) return;
      alarmBursts++;
      document.documentElement.dataset.alarmBursts = String(alarmBursts);
    };
    tick();
    timer = setInterval(tick, REPEAT_MS);
  } else if (!active && timer) {
    clearInterval(timer);
    timer = null;
  }
  document.documentElement.dataset.alarm = active ? 'on' : 'off';
}
