import { MemoryBus } from './memory-bus.js';
import { defineBusContract } from '../testing/bus-contract.js';
import { openPGliteTestDatabase } from '../testing/test-database.js';

// The embedded runtime's pairing: in-process bus, in-process PostgreSQL (PGlite).
defineBusContract('MemoryBus', {
  createBus: () => new MemoryBus({ redeliveryDelayMs: 10 }),
  openDatabase: () => openPGliteTestDatabase('msg_memory'),
});
