import { DeciderCommandHandler, type Command, type Decider, type Event } from '@event-driven-io/emmett';

/** A decider plus the mapping from an aggregate id to its stream name. */
export type StreamDecider<State, C extends Command, E extends Event> = Decider<State, C, E> & {
  /** e.g. `(id) => \`bill-${id}\`` (design §3: streams are named `type-id`). */
  mapToStreamId: (id: string) => string;
};

/**
 * The platform's command handler: Emmett's `DeciderCommandHandler` (load the stream, fold it with
 * `evolve`, `decide`, append with the version it loaded) with retries on a version conflict, so two
 * writers racing on one stream both get a decision on fresh state, or a clear conflict when the
 * caller pinned a version (`handleOptions.expectedStreamVersion`, e.g. from `If-Match`).
 *
 * @param retries how many times to retry after a version conflict (default 10) when the caller did
 *   not pin an expected version
 */
export function commandHandler<State, C extends Command, E extends Event>(decider: StreamDecider<State, C, E>, retries = 10) {
  return DeciderCommandHandler<State, C, E>({
    ...decider,
    retry: { onVersionConflict: { retries, minTimeout: 5, maxTimeout: 100, factor: 2, randomize: true } },
  });
}
