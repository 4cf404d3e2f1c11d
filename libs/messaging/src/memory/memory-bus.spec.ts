import { describe, it, expect } from '@jest/globals';
import { deadLetterTopic, type BusMessage, type OutgoingMessage } from '../bus.js';
import { ConsumerRunner } from '../consumer-runner.js';
import { replayDeadLetters } from '../replay.js';
import { waitUntil } from '../testing/wait.js';
import { MemoryBus } from './memory-bus.js';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const message = (key: string, value: string): OutgoingMessage => ({ key, value: encoder.encode(value) });
const values = (messages: BusMessage[]) => messages.map((m) => decoder.decode(m.value));

describe('MemoryBus', () => {
  it('resolves publish only once every subscribed group has handled the messages', async () => {
    const bus = new MemoryBus();
    const billing: string[] = [];
    const payments: string[] = [];
    await bus.subscribe({
      groupId: 'billing',
      topics: ['usage'],
      handler: async (m) => {
        await new Promise((resolve) => setTimeout(resolve, 5));
        billing.push(decoder.decode(m.value));
      },
    });
    await bus.subscribe({ groupId: 'payments', topics: ['usage'], handler: async (m) => void payments.push(decoder.decode(m.value)) });

    await bus.publish('usage', [message('a', '1'), message('b', '2'), message('a', '3')]);
    expect(billing.sort()).toEqual(['1', '2', '3']);
    expect(payments.sort()).toEqual(['1', '2', '3']);
    expect((await bus.offsets('usage', 'billing')).every((p) => p.committed === p.end)).toBe(true);
    await bus.close();
  });

  it('retains messages published before any subscriber for groups that start from the beginning', async () => {
    const bus = new MemoryBus({ partitions: 2 });
    await bus.publish('bills', [message('x', 'early-1'), message('y', 'early-2')]);
    expect((await bus.offsets('bills')).reduce((sum, p) => sum + Number(p.end), 0)).toBe(2);

    const fromStart: BusMessage[] = [];
    const fromNow: BusMessage[] = [];
    await bus.subscribe({ groupId: 'late', topics: ['bills'], handler: async (m) => void fromStart.push(m) });
    await bus.subscribe({ groupId: 'tail', topics: ['bills'], fromBeginning: false, handler: async (m) => void fromNow.push(m) });
    await waitUntil('the late group catches up', () => fromStart.length === 2);
    await bus.publish('bills', [message('x', 'later')]);

    expect(values(fromStart).sort()).toEqual(['early-1', 'early-2', 'later']);
    expect(values(fromNow)).toEqual(['later']);
    await bus.close();
  });

  it('redelivers a message whose handler throws, holding back the rest of its partition', async () => {
    const bus = new MemoryBus({ partitions: 1, redeliveryDelayMs: 1 });
    const seen: string[] = [];
    let failures = 2;
    await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async (m) => {
        const value = decoder.decode(m.value);
        seen.push(value);
        if (value === 'flaky' && failures-- > 0) throw new Error('transient');
      },
    });
    await bus.publish('t', [message('k', 'flaky'), message('k', 'next')]);
    expect(seen).toEqual(['flaky', 'flaky', 'flaky', 'next']);
    expect(await bus.offsets('t', 'g')).toEqual([{ partition: 0, start: '0', end: '2', committed: '2' }]);
    await bus.close();
  });

  it('keeps a group’s offsets when its last member leaves, and resumes there', async () => {
    const bus = new MemoryBus();
    const first: string[] = [];
    const subscription = await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async (m) => void first.push(decoder.decode(m.value)) });
    await bus.publish('t', [message('a', 'one')]);
    await subscription.close();
    await bus.publish('t', [message('a', 'two')]); // no member: resolves without waiting
    const second: string[] = [];
    await bus.subscribe({ groupId: 'g', topics: ['t'], handler: async (m) => void second.push(decoder.decode(m.value)) });
    await waitUntil('the group resumes', () => second.length === 1);
    expect(first).toEqual(['one']);
    expect(second).toEqual(['two']);
    await bus.close();
  });

  it('rejects a waiting publish when the group loses its last member, and when the bus closes', async () => {
    const bus = new MemoryBus({ redeliveryDelayMs: 1 });
    const stuck = await bus.subscribe({
      groupId: 'g',
      topics: ['t'],
      handler: async () => {
        throw new Error('always');
      },
    });
    const waiting = bus.publish('t', [message('a', 'x')]);
    await stuck.close();
    await expect(waiting).rejects.toThrow(/no member left/);

    const closing = new MemoryBus({ partitions: 1 });
    const running: (() => void)[] = [];
    await closing.subscribe({ groupId: 'g', topics: ['t'], handler: () => new Promise<void>((resolve) => running.push(resolve)) });
    const pending = closing.publish('t', [message('a', '1'), message('a', '2')]);
    await waitUntil('the handler runs', () => running.length === 1);
    const closed = closing.close();
    running[0]?.(); // close waits for the running handler, then stops: '2' is never delivered
    await closed;
    expect(running).toHaveLength(1);
    expect(await closing.offsets('t', 'g').catch(() => [])).toEqual([{ partition: 0, start: '0', end: '2', committed: '1' }]);
    await expect(pending).rejects.toThrow(/closed/);
    await expect(closing.publish('t', [message('a', 'late')])).rejects.toThrow(/closed/);
    await bus.close();
  });

  it('lets a handler publish (to its own topic too) without waiting for itself', async () => {
    const bus = new MemoryBus({ partitions: 1 });
    const seen: string[] = [];
    await bus.subscribe({
      groupId: 'echo',
      topics: ['t'],
      handler: async (m) => {
        const value = decoder.decode(m.value);
        seen.push(value);
        if (value === 'ping') await bus.publish('t', [message('k', 'pong')]);
      },
    });
    await bus.publish('t', [message('k', 'ping')]);
    await waitUntil('the echo is handled', () => seen.length === 2);
    expect(seen).toEqual(['ping', 'pong']);
    await bus.close();
  });

  it('replays at most `limit` dead letters, leaving the others in place', async () => {
    const bus = new MemoryBus({ redeliveryDelayMs: 1 });
    const handled: string[] = [];
    let fixed = false;
    const runner = new ConsumerRunner({
      bus,
      groupId: 'svc',
      topics: ['t'],
      retry: { attempts: 1 },
      logger: { warn: () => undefined, error: () => undefined },
      handler: async (m) => {
        if (!fixed) throw new Error('broken');
        handled.push(decoder.decode(m.value));
      },
    });
    await runner.start();
    await bus.publish('t', [message('a', 'a1'), message('a', 'a2'), message('a', 'a3')]);
    expect((await bus.offsets(deadLetterTopic('svc'))).reduce((n, p) => n + Number(p.end), 0)).toBe(3);

    fixed = true;
    expect(await replayDeadLetters(bus, 'svc', { limit: 2 })).toEqual({ replayed: 2, kept: 0 });
    await waitUntil('two letters are handled', () => handled.length === 2);
    expect(await replayDeadLetters(bus, 'svc', { limit: 2 })).toEqual({ replayed: 1, kept: 0 });
    await waitUntil('the third is handled', () => handled.length === 3);
    expect(handled).toEqual(['a1', 'a2', 'a3']);
    expect(await replayDeadLetters(bus, 'svc')).toEqual({ replayed: 0, kept: 0 });
    await runner.stop();
    await bus.close();
  });

  it('rejects invalid options and messages', async () => {
    expect(() => new MemoryBus({ partitions: 0 })).toThrow(/partitions/);
    const bus = new MemoryBus();
    await expect(bus.publish('t', [{ key: 'k', value: 'text' as unknown as Uint8Array }])).rejects.toThrow(/Uint8Array/);
    await expect(bus.subscribe({ groupId: 'g', topics: [], handler: async () => undefined })).rejects.toThrow(/no topics/);
    await bus.close();
  });
});
