import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Body, Controller, Get, HttpCode, Module, Param, Post, Query } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { z } from 'zod';
import { createHttpApp } from './http-app.js';
import { DomainError, PROBLEM_JSON } from './problem-details.js';
import { ZodValidationPipe } from './validation.js';

class BillNotFound extends DomainError {
  constructor(id: string) {
    super('bill.not_found', `Bill ${id} does not exist`, { status: 404 });
  }
}

const createBill = z.object({
  customerId: z.string().min(1),
  lines: z.array(z.object({ amountMinor: z.number().int().positive() })).min(1),
});

@Controller('bills')
class BillsController {
  @Get('crash')
  crash(): never {
    throw new Error('connection to db.internal:5432 refused for user billing');
  }

  @Get(':id')
  find(@Param('id') id: string): never {
    throw new BillNotFound(id);
  }

  @Post()
  @HttpCode(201)
  create(@Body({ schema: createBill }) body: z.infer<typeof createBill>): unknown {
    return { created: body.customerId };
  }

  @Post('explicit')
  @HttpCode(200)
  explicit(@Body(new ZodValidationPipe(createBill)) body: z.infer<typeof createBill>): unknown {
    return body;
  }

  @Get()
  list(@Query('limit', new ZodValidationPipe(z.coerce.number().int().max(100))) limit: number): unknown {
    return { limit };
  }
}

@Module({ controllers: [BillsController] })
class TestModule {}

describe('ProblemDetailsFilter (real HTTP)', () => {
  let app: NestExpressApplication;

  beforeAll(async () => {
    app = await createHttpApp(TestModule, { logLevel: false, bodyLimit: '1kb' });
    await app.listen(0);
  });

  afterAll(async () => {
    await app.close();
  });

  it('answers a DomainError with its status, code and message as application/problem+json', async () => {
    const response = await request(app.getHttpServer()).get('/bills/b-42');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.text)).toEqual({
      type: 'urn:billing:problem:bill.not_found',
      title: 'Not Found',
      status: 404,
      detail: 'Bill b-42 does not exist',
      instance: '/bills/b-42',
      code: 'bill.not_found',
    });
  });

  it('answers 400 request.invalid naming each invalid field (schema option on @Body)', async () => {
    const response = await request(app.getHttpServer()).post('/bills').send({ lines: [{ amountMinor: -5 }] });
    expect(response.status).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = JSON.parse(response.text) as { code: string; errors: { field: string; message: string }[]; status: number };
    expect(problem.status).toBe(400);
    expect(problem.code).toBe('request.invalid');
    expect(problem.errors.map((error) => error.field).sort()).toEqual(['customerId', 'lines.0.amountMinor']);
    for (const error of problem.errors) expect(error.message.length).toBeGreaterThan(0);
  });

  it('passes valid bodies through the schema', async () => {
    const response = await request(app.getHttpServer()).post('/bills').send({ customerId: 'c-1', lines: [{ amountMinor: 100 }] });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ created: 'c-1' });
  });

  it('validates with an explicit ZodValidationPipe and prefixes named parameters', async () => {
    const invalid = await request(app.getHttpServer()).post('/bills/explicit').send({ customerId: 7, lines: [] });
    expect(invalid.status).toBe(400);
    expect((JSON.parse(invalid.text) as { errors: { field: string }[] }).errors.map((e) => e.field).sort()).toEqual(['customerId', 'lines']);

    const query = await request(app.getHttpServer()).get('/bills?limit=500');
    expect(query.status).toBe(400);
    expect((JSON.parse(query.text) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual(['limit']);

    const ok = await request(app.getHttpServer()).get('/bills?limit=20');
    expect(ok.body).toEqual({ limit: 20 });
  });

  it('answers unknown errors with 500 internal and leaks neither message nor stack', async () => {
    const response = await request(app.getHttpServer()).get('/bills/crash');
    expect(response.status).toBe(500);
    const problem = JSON.parse(response.text) as Record<string, unknown>;
    expect(problem).toMatchObject({ status: 500, code: 'internal', title: 'Internal Server Error', instance: '/bills/crash' });
    expect(response.text).not.toMatch(/db\.internal|refused|Error:|at /);
  });

  it('answers unknown routes with a 404 problem', async () => {
    const response = await request(app.getHttpServer()).get('/nowhere?token=secret');
    expect(response.status).toBe(404);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(response.text)).toMatchObject({ type: 'about:blank', status: 404, code: 'http.not_found', instance: '/nowhere' });
  });

  it('answers malformed JSON with 400 and oversized bodies with 413, both as problems', async () => {
    const malformed = await request(app.getHttpServer()).post('/bills').set('Content-Type', 'application/json').send('{"customerId":');
    expect(malformed.status).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(malformed.text)).toMatchObject({ status: 400, code: 'http.bad_request' });

    const huge = await request(app.getHttpServer())
      .post('/bills')
      .send({ customerId: 'x'.repeat(4096), lines: [{ amountMinor: 1 }] });
    expect(huge.status).toBe(413);
    expect(JSON.parse(huge.text)).toMatchObject({ status: 413, code: 'http.payload_too_large' });
  });
});

describe('DomainError', () => {
  it('rejects codes and statuses that are not stable problem codes', () => {
    expect(() => new DomainError('Bill Not Found', 'x')).toThrow(TypeError);
    expect(() => new DomainError('bill.not_found', 'x', { status: 200 })).toThrow(TypeError);
    const error = new DomainError('bill.already_approved', 'Bill b-1 is already approved');
    expect(error.status).toBe(422);
    expect(error.title).toBe('Unprocessable Entity');
    expect(PROBLEM_JSON).toBe('application/problem+json');
  });
});
