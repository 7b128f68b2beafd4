import { startMosquitto } from '../../../tests/support/mosquitto.ts';
import { Collector } from '../testing/collector.ts';
import { runEdgeScenarios } from './scenarios.ts';

// Debian's mosquitto as the broker and a subscriber standing in for the hub's ingest.
runEdgeScenarios('mosquitto', async () => {
  const m = await startMosquitto();
  return {
    url: m.url,
    stop: m.stop,
    restart: m.restart,
    close: m.close,
    provision: async () => {}, // anonymous broker: any device may connect
    observe: () => Collector.start(m.url),
  };
});
