import type { Readable } from 'node:stream';
import { type SosCategory, sosCategorySchema } from '@steppelink/protocols';
import type { Clock, Timers } from '../clock.ts';
import { LineSource } from './line-source.ts';
import type { InputAdapter, InputSink } from './port.ts';
import { parseSensorLine } from './sensor-line.ts';

/**
 * Applies one command line:
 *   `sos [category]` · `cancel` · `confirm` (the cancel's second step) ·
 *   `reply <code> [text…]` (a canned reply during the SOS, e.g. `reply need-doctor`) · `say <text…>` ·
 *   `fix <lat> <lon>` · a grazing sensor line (see sensor-line.ts) · blank or `# comment`.
 */
export function applyCommandLine(line: string, sink: InputSink, source: string, now: number): void {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return;
  const [cmd, ...args] = text.split(/\s+/);
  switch (cmd) {
    case 'sos': {
      const cat = sosCategorySchema.safeParse(args[0] ?? 'unknown');
      if (!cat.success) {
        const known = sosCategorySchema.options.join(', ');
        sink.reject(source, `unknown SOS category ${JSON.stringify(args[0])}; use ${known}`);
        return;
      }
      sink.sosPress(source, cat.data as SosCategory);
      return;
    }
    case 'cancel':
      sink.sosCancel(source);
      return;
    case 'confirm':
      sink.sosConfirmCancel(source);
      return;
    case 'reply': {
      const [code, ...rest] = args;
      if (code === undefined) {
        sink.reject(source, 'reply needs a code: reply <code> [text], e.g. reply need-doctor');
        return;
      }
      const words = rest.join(' ');
      sink.sosReply(source, { canned: code, ...(words ? { text: words } : {}) });
      return;
    }
    case 'say': {
      const words = args.join(' ');
      if (!words) sink.reject(source, 'say needs text: say <text>');
      else sink.sosReply(source, { text: words });
      return;
    }
    case 'fix': {
      const [lat, lon] = args.map(Number);
      if (lat === undefined || lon === undefined || !Number.isFinite(lat) || !Number.isFinite(lon)) {
        sink.reject(source, 'fix needs two numbers: fix <lat> <lon>');
        return;
      }
      sink.fix({ t: now, lat, lon }, { src: 'sim' });
      return;
    }
    default: {
      const r = parseSensorLine(text, now);
      if (r.ok) sink.reading(r.reading);
      else sink.reject(source, r.reason);
    }
  }
}

/** Command lines from stdin (testing, and scripted demos), or from any stream. */
export function commandLineInput(opts: {
  name?: string;
  stream?: () => Readable;
  clock: Clock;
  timers: Timers;
}): InputAdapter & { whenEnded(): Promise<void> } {
  let source: LineSource | undefined;
  const name = opts.name ?? 'stdin';
  return {
    name,
    start(sink) {
      source = new LineSource({
        open: opts.stream ?? (() => process.stdin),
        timers: opts.timers,
        reopenAfterMs: null,
        onLine: (line) => applyCommandLine(line, sink, name, opts.clock.now()),
        onError: (m) => sink.reject(name, m),
      });
      source.start();
    },
    whenEnded: () => source?.whenEnded() ?? Promise.resolve(),
    close() {
      source?.close();
    },
  };
}
