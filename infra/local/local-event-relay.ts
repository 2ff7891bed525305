import type { Logger } from '../../functions/logger.js';
import type { RelayResult } from '../../functions/events/outbox-relay.js';

export interface LocalEventRelay {
  /** Waits for a running sweep, then stops the timer. */
  stop(): Promise<void>;
}

/**
 * The laptop's stand-in for the scheduled relay Lambda: runs a sweep every `intervalMs`, one at
 * a time, and logs the runs that moved something.
 */
export function startLocalEventRelay(options: {
  readonly intervalMs: number;
  readonly logger: Logger;
  readonly sweep: () => Promise<RelayResult>;
}): LocalEventRelay {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = options
      .sweep()
      .then((result) => {
        if (result.claimed > 0) options.logger.info('outbox relay run', { ...result });
      })
      .catch((error: unknown) => options.logger.error('outbox relay run failed', { error: String(error) }))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs);
      });
  };
  let timer: NodeJS.Timeout | undefined = setTimeout(tick, options.intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
