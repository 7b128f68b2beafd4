import type { Clock, Timers } from '../clock.ts';
import type { InputConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import { commandLineInput } from './command-lines.ts';
import { GpsdInput } from './gpsd.ts';
import { inputEventKey } from './input-event.ts';
import { nmeaInput } from './nmea-input.ts';
import type { InputAdapter } from './port.ts';
import { sensorSerialInput, sensorUdpInput } from './sensor-inputs.ts';
import { sensorSimInput } from './sensor-sim.ts';

/** Builds one input adapter from its edge.json `inputs` entry. */
export function inputFromConfig(i: InputConfig, clock: Clock, timers: Timers, logger?: Logger): InputAdapter {
  switch (i.type) {
    case 'gpsd':
      return new GpsdInput({ host: i.host, port: i.port, clock, timers, ...(logger ? { logger } : {}) });
    case 'nmea':
      return nmeaInput({ path: i.path, clock, timers });
    case 'sensor-serial':
      return sensorSerialInput({ path: i.path, clock, timers });
    case 'sensor-udp':
      return sensorUdpInput({ host: i.host, port: i.port, clock });
    case 'sensor-sim':
      return sensorSimInput({
        clock,
        timers,
        intervalS: i.intervalS,
        home: i.home,
        tag: i.tag,
        collars: i.collars,
      });
    case 'input-event':
      return inputEventKey({ path: i.path, keyCode: i.keyCode, category: i.category, timers });
    case 'stdin':
      return commandLineInput({ clock, timers });
  }
}

/** Builds the input adapters named in edge.json `inputs`. */
export function inputsFromConfig(
  inputs: readonly InputConfig[],
  clock: Clock,
  timers: Timers,
  logger?: Logger,
): InputAdapter[] {
  return inputs.map((i) => inputFromConfig(i, clock, timers, logger));
}
