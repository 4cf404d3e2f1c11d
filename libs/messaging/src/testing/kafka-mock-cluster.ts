import { spawn, spawnSync } from 'node:child_process';

/** A Kafka cluster tests can use. */
export interface KafkaTestCluster {
  /** Bootstrap brokers, `host:port`. */
  brokers: string[];
  /** Where it comes from: `KAFKA_BROKERS`, or `kcat mock cluster (pid …)`. */
  description: string;
  /** Stops the mock cluster (no-op for `KAFKA_BROKERS`). Idempotent. */
  stop(): Promise<void>;
}

/** Options of {@link startKafkaMockCluster}. */
export interface KafkaMockClusterOptions {
  /** Brokers of the mock cluster (default 3). */
  brokers?: number;
  /** Longest wait for kcat to print its bootstrap servers, in milliseconds (default 10 000). */
  startTimeoutMs?: number;
  /** Environment to read `KAFKA_BROKERS` from (default `process.env`). */
  env?: Record<string, string | undefined>;
  /** The kcat executable (default `kcat`, looked up in `PATH`). */
  command?: string;
}

/** `bootstrap.servers=h:p,…` (with `-d mock`) or `… replaced with h:p,…` (librdkafka's notice at startup). */
const BOOTSTRAP = /(?:bootstrap\.servers=|replaced with )((?:[\w.-]+:\d+,?)+)/;

/**
 * A Kafka cluster for integration tests:
 * - `KAFKA_BROKERS` (comma-separated `host:port`) when set: that cluster, left running by `stop()`;
 * - else librdkafka's mock cluster run by Debian's `kcat` (`kcat -C -b localhost:1 -t keepalive -X
 *   test.mock.num.brokers=3`): a Kafka-protocol cluster of 3 in-process brokers on ephemeral ports,
 *   living as long as the kcat process. It auto-creates topics (4 partitions, replication factor 3)
 *   and cannot create them through the admin API; its group coordinator delays a group's first join
 *   by 3 s and a rebalance by `session.timeout - 1 s`, so tests use short session timeouts.
 *
 * @returns the cluster, or, when `kcat` is not installed, the reason as a string, for the caller to
 * skip its suite with (e.g. `kcat not installed (apt-get install -y kcat)`).
 * @throws Error when kcat starts but prints no bootstrap servers within `startTimeoutMs`, or exits first.
 */
export async function startKafkaMockCluster(options: KafkaMockClusterOptions = {}): Promise<KafkaTestCluster | string> {
  const env = options.env ?? process.env;
  const configured = env.KAFKA_BROKERS?.trim();
  if (configured) {
    return {
      brokers: configured.split(',').map((broker) => broker.trim()).filter((broker) => broker.length > 0),
      description: `KAFKA_BROKERS=${configured}`,
      stop: async () => undefined,
    };
  }
  const command = options.command ?? 'kcat';
  if (spawnSync(command, ['-V'], { stdio: 'ignore' }).error) {
    return `${command} not installed (apt-get install -y kcat), and KAFKA_BROKERS not set`;
  }

  const child = spawn(command, ['-C', '-b', 'localhost:1', '-t', 'keepalive', '-q', '-X', `test.mock.num.brokers=${options.brokers ?? 3}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  let stderr = '';
  try {
    const brokers = await new Promise<string[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`kcat printed no bootstrap servers within ${options.startTimeoutMs ?? 10_000} ms: ${stderr.slice(0, 500)}`)),
        options.startTimeoutMs ?? 10_000,
      );
      child.stderr.setEncoding('utf8');
      child.stderr.on('data', (chunk: string) => {
        if (stderr.length < 10_000) stderr += chunk;
        const match = BOOTSTRAP.exec(stderr);
        if (match?.[1]) {
          clearTimeout(timer);
          resolve(match[1].split(',').filter((broker) => broker.length > 0));
        }
      });
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`kcat exited (${signal ?? code}) before the mock cluster was up: ${stderr.slice(0, 500)}`));
      });
    });
    // Keep draining stderr so kcat never blocks on a full pipe.
    child.stderr.removeAllListeners('data');
    child.stderr.resume();
    let stopped: Promise<void> | undefined;
    return {
      brokers,
      description: `kcat mock cluster (pid ${child.pid}) at ${brokers.join(',')}`,
      stop: () =>
        (stopped ??= (async () => {
          process.removeListener('exit', killOnExit);
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        })()),
    };
  } catch (error) {
    process.removeListener('exit', killOnExit);
    child.kill('SIGKILL');
    throw error;
  }
}
