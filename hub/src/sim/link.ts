import type { Connection, ConnectionFactory } from '@steppelink/edge';

/**
 * A device's link as the simulator sees it: normally the real MQTT connection, but during a
 * simulated outage (a blizzard took the relay mast down) every connection attempt fails and the
 * open one is cut, so the agent's real backoff, outbox and resend paths are exercised.
 */
export class SimLink {
  private downUntil = 0;
  private current: Connection | undefined;

  constructor(
    private readonly inner: ConnectionFactory,
    private readonly now: () => number,
  ) {}

  readonly factory: ConnectionFactory = (url, options, handlers) => {
    if (this.now() < this.downUntil) {
      const dead: Connection = {
        publish: (_t, _p, done) => done(new Error('link down (simulated outage)')),
        subscribe: (_t, done) => done(new Error('link down (simulated outage)')),
        end: async () => {},
      };
      setImmediate(() => handlers.close('link down (simulated outage)'));
      return dead;
    }
    const conn = this.inner(url, options, handlers);
    this.current = conn;
    return conn;
  };

  /** Cuts the link for `ms`: the open connection drops and reconnects fail until then. */
  cut(ms: number): void {
    this.downUntil = this.now() + ms;
    const c = this.current;
    this.current = undefined;
    void c?.end();
  }

  get down(): boolean {
    return this.now() < this.downUntil;
  }
}
