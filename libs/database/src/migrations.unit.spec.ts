import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PGliteExecutor } from './pglite-executor.js';
import { migrate } from './migrations.js';

describe('migrate on PGlite', () => {
  let db: PGliteExecutor;
  beforeAll(async () => {
    db = await PGliteExecutor.open();
  });
  afterAll(() => db.close());

  it('applies each migration once, so running it again (a restart) changes nothing', async () => {
    const migrations = [{ id: '001_t', sql: 'CREATE TABLE {schema}.t (id int PRIMARY KEY);\nINSERT INTO {schema}.t VALUES (1)' }];
    expect(await migrate(db, 'svc', migrations)).toEqual(['001_t']);
    expect(await migrate(db, 'svc', migrations)).toEqual([]);
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM svc.t');
    expect(rows.rows[0]!.n).toBe(1);
    expect(rows.rowCount).toBe(1);
  });
});
