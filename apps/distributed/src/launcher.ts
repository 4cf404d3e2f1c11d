import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startKafkaMockCluster, type KafkaTestCluster } from '@billing/messaging/kafka-mock-cluster';

/** The service processes of the distributed topology, in start order (identity first: the others fetch its keys). */
export const DISTRIBUTED_SERVICES = ['identity', 'customers', 'billing', 'approvals'] as const;
export type DistributedService = (typeof DISTRIBUTED_SERVICES)[number];
/** Every process the launcher runs. */
export type DistributedProcess = DistributedService | 'api-gateway';

/** How many times a process that exits during start-up is started (see `launch`). */
const START_ATTEMPTS = 3;

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The built entry point of a process. */
export function entryPointOf(name: DistributedProcess): string {
  return join(root, 'services', name, 'dist', 'main.js');
}

/** Options of {@link startDistributed}. */
export interface DistributedOptions {
  /** PostgreSQL URL every process uses, each service in its own schema. */
  databaseUrl: string;
  /** Prefix of the schemas (`<prefix>identity`, …; default none). Tests use a unique one. */
  schemaPrefix?: string;
  /** Kafka bootstrap servers; when absent, librdkafka's mock cluster is started with `kcat`. */
  kafkaBrokers?: string[];
  /** The gateway's port (default 3000); services listen on the next four ports unless `servicePorts` says otherwise. */
  port?: number;
  servicePorts?: Partial<Record<DistributedService, number>>;
  /** Extra environment for every process (e.g. `LOG_LEVEL`). */
  env?: Record<string, string>;
  /** Where each process' output goes (default: prefixed lines on this process' stdout/stderr). */
  output?: (process: DistributedProcess, line: string) => void;
  /** How long a process may take to answer /health, in milliseconds (default 60 000). */
  startTimeoutMs?: number;
}

/** A running distributed platform. */
export interface DistributedPlatform {
  /** The gateway's URL, e.g. `http://localhost:3000`. */
  url: string;
  /** Each process' own URL. */
  urls: Record<DistributedProcess, string>;
  kafkaBrokers: string[];
  /** Sends `signal` (default SIGKILL: a crash) to one process and waits for it to exit. */
  kill(name: DistributedProcess, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a process again (after `kill`) and waits for its /health. */
  restart(name: DistributedProcess): Promise<void>;
  /** Stops every process (SIGTERM, gateway first) and the mock cluster. */
  stop(): Promise<void>;
}

async function waitForHealth(url: string, child: ChildProcess, timeoutMs: number, name: string, recent: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode} before it was healthy; its last output:\n${recent()}`);
    const status = await fetch(`${url}/health`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${name} was not healthy at ${url}/health within ${timeoutMs} ms; its last output:\n${recent()}`);
}

/**
 * Starts the distributed topology on this machine, without Docker: each service, then the
 * api-gateway, as its own Node process (their built `dist/main.js`), on one PostgreSQL database
 * (a schema per service) and Kafka (the given brokers, or the mock cluster). Resolves when every
 * process answers `/health` with 200.
 * @throws Error when the entry points are not built, Kafka is unavailable, or a process fails to start
 *   (everything started is stopped again).
 */
export async function startDistributed(options: DistributedOptions): Promise<DistributedPlatform> {
  for (const name of [...DISTRIBUTED_SERVICES, 'api-gateway'] as const) {
    if (!existsSync(entryPointOf(name))) throw new Error(`${entryPointOf(name)} is missing: build first (node tools/build-runtime.mjs)`);
  }
  let cluster: KafkaTestCluster | undefined;
  let brokers = options.kafkaBrokers;
  if (!brokers || brokers.length === 0) {
    const started = await startKafkaMockCluster({ env: {} });
    if (typeof started === 'string') throw new Error(`no Kafka: ${started}`);
    cluster = started;
    brokers = started.brokers;
  }
  const port = options.port ?? 3000;
  const ports: Record<DistributedProcess, number> = {
    'api-gateway': port,
    identity: options.servicePorts?.identity ?? port + 1,
    customers: options.servicePorts?.customers ?? port + 2,
    billing: options.servicePorts?.billing ?? port + 3,
    approvals: options.servicePorts?.approvals ?? port + 4,
  };
  const urls = Object.fromEntries(Object.entries(ports).map(([name, p]) => [name, `http://127.0.0.1:${p}`])) as Record<DistributedProcess, string>;
  const prefix = options.schemaPrefix ?? '';
  const common = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? '',
    DATABASE_URL: options.databaseUrl,
    KAFKA_BROKERS: brokers.join(','),
    AUTH_JWKS_URL: `${urls.identity}/.well-known/jwks.json`,
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const envOf = (name: DistributedProcess): Record<string, string> =>
    name === 'api-gateway'
      ? {
          ...common,
          PORT: String(ports[name]),
          DB_SCHEMA: `${prefix}gateway`,
          IDENTITY_URL: urls.identity,
          CUSTOMERS_URL: urls.customers,
          BILLING_URL: urls.billing,
          APPROVALS_URL: urls.approvals,
          WEB_DIST: join(root, 'services', 'web', 'dist'),
        }
      : { ...common, PORT: String(ports[name]), DB_SCHEMA: `${prefix}${name}` };
  const output = options.output ?? ((name: DistributedProcess, line: string) => process.stdout.write(`[${name}] ${line}\n`));
  const children = new Map<DistributedProcess, ChildProcess>();
  const timeout = options.startTimeoutMs ?? 60_000;

  /** Starts one process and waits for its /health; rejects with its last output when it exits first. */
  const launchOnce = async (name: DistributedProcess): Promise<void> => {
    const child = spawn(process.execPath, [entryPointOf(name)], { env: envOf(name), stdio: ['ignore', 'pipe', 'pipe'] });
    children.set(name, child);
    const lastLines: string[] = [];
    for (const stream of [child.stdout, child.stderr]) {
      let buffer = '';
      stream?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) {
          output(name, line);
          lastLines.push(line);
          if (lastLines.length > 40) lastLines.shift();
        }
      });
    }
    await waitForHealth(urls[name], child, timeout, name, () => lastLines.join('\n'));
  };

  /**
   * Starts a process as a supervisor would (compose's `restart: unless-stopped`, a Kubernetes
   * Deployment): a process that exits during start-up, e.g. while the broker is still electing a
   * group coordinator, is started again, up to {@link START_ATTEMPTS} times.
   */
  const launch = async (name: DistributedProcess): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await launchOnce(name);
        return;
      } catch (error) {
        const exited = children.get(name)?.exitCode !== null;
        if (!exited || attempt >= START_ATTEMPTS) throw error;
        output(name, `exited during start-up (attempt ${attempt} of ${START_ATTEMPTS}), starting it again: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };

  const kill = async (name: DistributedProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> => {
    const child = children.get(name);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill(signal);
    await exited;
  };

  const stop = async (): Promise<void> => {
    for (const name of ['api-gateway', ...[...DISTRIBUTED_SERVICES].reverse()] as DistributedProcess[]) await kill(name, 'SIGTERM');
    await cluster?.stop();
  };

  try {
    for (const name of DISTRIBUTED_SERVICES) await launch(name);
    await launch('api-gateway');
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    url: `http://localhost:${port}`,
    urls,
    kafkaBrokers: brokers,
    kill,
    restart: launch,
    stop,
  };
}
