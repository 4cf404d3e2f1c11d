/**
 * Upcasting: events are never rewritten in the store, so when an event type's shape changes, the
 * old shape stays on disk with its `schema_version` and an upcaster turns it into the next version
 * on every read. Upcasters chain: v1 → v2 → v3 …
 */
export interface Upcaster {
  /** The stored event type this applies to. */
  eventType: string;
  /** The stored schema version it reads; it produces `fromSchemaVersion + 1`. */
  fromSchemaVersion: number;
  /** Returns the next version's data (and, when the type was renamed, its new type). Must be pure. */
  upcast(data: Record<string, unknown>): { type?: string; data: Record<string, unknown> };
}

/** A stored event's type, data and schema version. */
export interface VersionedEvent {
  type: string;
  data: Record<string, unknown>;
  schemaVersion: number;
}

/** Looks up and applies chains of {@link Upcaster}s. */
export class UpcasterRegistry {
  readonly #byKey = new Map<string, Upcaster>();

  /** @throws Error when two upcasters claim the same type and version */
  constructor(upcasters: readonly Upcaster[]) {
    for (const upcaster of upcasters) {
      const key = `${upcaster.eventType}@${upcaster.fromSchemaVersion}`;
      if (this.#byKey.has(key)) throw new Error(`two upcasters for ${key}`);
      this.#byKey.set(key, upcaster);
    }
  }

  list(): Upcaster[] {
    return [...this.#byKey.values()];
  }

  /** Applies every upcaster that matches, in version order, until none does. */
  upcast(event: VersionedEvent): VersionedEvent {
    let current = event;
    for (let next = this.#byKey.get(`${current.type}@${current.schemaVersion}`); next; next = this.#byKey.get(`${current.type}@${current.schemaVersion}`)) {
      const result = next.upcast(current.data);
      current = { type: result.type ?? current.type, data: result.data, schemaVersion: current.schemaVersion + 1 };
    }
    return current;
  }
}
