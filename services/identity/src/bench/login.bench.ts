/**
 * Login benchmark (not a test): `npm run bench:login -w @billing/identity-service [-- <logins>]`.
 * Starts the identity service (PGlite in memory, in-process bus, bcrypt cost 12), signs one user up,
 * then times N sequential `POST /api/session` logins through HTTP and, as a baseline measured in the
 * same run, N `bcrypt.compare` calls alone on the same hash. Prints p50/p99 of each and their ratio.
 */
import 'reflect-metadata';
import bcrypt from 'bcrypt';
import { cpus } from 'node:os';
import { PGliteExecutor } from '@billing/database';
import { MemoryBus } from '@billing/messaging';
import { startServices } from '@billing/service-kit';
import { DEFAULT_IDENTITY_SETTINGS } from '../config.js';
import { createIdentityService } from '../identity.module.js';

const logins = Number(process.argv[2] ?? 50);
const password = 'benchmark password 2026';

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(samples: number[]): { p50: number; p99: number; mean: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

const db = await PGliteExecutor.open();
const bus = new MemoryBus();
const settings = { ...DEFAULT_IDENTITY_SETTINGS, bcryptCost: 12, login: { maxFailuresPerAccount: 1_000, maxFailuresPerAddress: 100_000, windowSeconds: 60 } };
const { app, url } = await startServices({
  services: [{ definition: createIdentityService(settings), schema: 'identity' }],
  db,
  bus,
  keys: 'self',
  auth: { schema: 'identity', groupId: 'identity.auth' },
  port: 0,
  http: { logLevel: false },
  log: false,
});
try {
  const signUp = await fetch(`${url}/api/users`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', password }) });
  if (signUp.status !== 201) throw new Error(`sign-up answered ${signUp.status}`);
  const hash = (await db.query<{ h: string }>('SELECT password_hash AS h FROM identity.credentials LIMIT 1')).rows[0]!.h;
  if (!hash.startsWith('$2b$12$')) throw new Error(`expected a cost-12 hash, got ${hash.slice(0, 7)}`);

  const login = async (): Promise<void> => {
    const response = await fetch(`${url}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'bench', password }) });
    if (response.status !== 201) throw new Error(`login answered ${response.status}`);
    await response.arrayBuffer();
  };
  await login(); // warm-up: key load, JIT
  const http: number[] = [];
  for (let i = 0; i < logins; i++) {
    const started = performance.now();
    await login();
    http.push(performance.now() - started);
  }
  const raw: number[] = [];
  for (let i = 0; i < logins; i++) {
    const started = performance.now();
    if (!(await bcrypt.compare(password, hash))) throw new Error('bcrypt.compare failed');
    raw.push(performance.now() - started);
  }
  const h = summary(http);
  const r = summary(raw);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  console.log(`login benchmark: ${logins} sequential logins, bcrypt cost 12, ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`);
  console.log(`| case | p50 | p99 | mean |`);
  console.log(`|---|---:|---:|---:|`);
  console.log(`| POST /api/session (HTTP, PGlite) | ${ms(h.p50)} | ${ms(h.p99)} | ${ms(h.mean)} |`);
  console.log(`| bcrypt.compare alone (baseline) | ${ms(r.p50)} | ${ms(r.p99)} | ${ms(r.mean)} |`);
  console.log(`| ratio login / bcrypt | ${(h.p50 / r.p50).toFixed(2)} | ${(h.p99 / r.p99).toFixed(2)} | ${(h.mean / r.mean).toFixed(2)} |`);
} finally {
  await app.close();
  await bus.close();
  await db.close();
}
