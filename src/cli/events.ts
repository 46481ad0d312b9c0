// The CLI's subscription to the Conductor's event stream: subscribed first (resolved once its
// snapshot arrived), so that nothing a command then starts is missed.
import type { ConductorClient } from '../shared/client';
import type { ApiEvent } from '../shared/protocol/api';
import { CliError } from './usage';

export interface Subscription {
  /** Settles when the stream ends (the Conductor went away, or the signal aborted it). */
  ended: Promise<void>;
}

export async function subscribe(client: ConductorClient, onEvent: (e: ApiEvent) => void, signal: AbortSignal): Promise<Subscription> {
  let subscribed!: () => void;
  const ready = new Promise<void>((r) => (subscribed = r));
  const ended = client.events(
    (e) => {
      if (e.type === 'snapshot' || e.type === 'resumed') subscribed();
      onEvent(e);
    },
    null,
    signal,
  );
  ended.catch(() => {});
  await Promise.race([ready, ended.then(() => Promise.reject(new CliError('the Conductor closed the event stream')))]);
  return { ended };
}
